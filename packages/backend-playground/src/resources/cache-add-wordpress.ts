import { checkPin } from './artifact-checks.js'
import { resolvedWordPress } from './resolve-wordpress.js'
import type { ResolverContext } from './resolver-context.js'
import { wordpressZipPath } from './resource-cache.js'
import { sha256Digest } from './resource-digest.js'
import { ResourceVersionMismatchError } from './resource-errors.js'
import { writeFileAtomic } from './resource-lock.js'
import { checkLock, lockKey, recordLock } from './resource-lock-check.js'
import type { CacheAddOptions, ResolvedWordPress } from './resource-resolver.js'
import { wordpressVersionOf, zipWordPressDirectory } from './wordpress-release.js'

/** A WordPress release found where `cacheAdd` was pointed: an unpacked directory, or a zip already read. */
export type WordPressToAdd =
  | { readonly kind: 'directory'; readonly root: string; readonly versionPhp: string }
  | { readonly kind: 'zip'; readonly bytes: Uint8Array; readonly version: string | undefined }

/**
 * Adds a WordPress release to the cache: a zip as it is, a directory zipped deterministically (`wordpress/…`, stored).
 * The version is the release's own (`$wp_version`); `options.version`, when given, must agree. Recorded in the lock
 * file as `wordpress:wordpress@<version>`; `playground({ wordpress: '<version>' })` then resolves it offline.
 *
 * @throws {@link ResourceVersionMismatchError} when `options.version` differs from the release's.
 */
export async function cacheAddWordPress(
  context: ResolverContext,
  location: string,
  found: WordPressToAdd,
  options: CacheAddOptions & { readonly pin?: string | undefined },
): Promise<ResolvedWordPress> {
  const declared = found.kind === 'directory' ? wordpressVersionOf(found.versionPhp) : found.version
  const version = declared ?? options.version
  if (
    version === undefined ||
    (options.version !== undefined && declared !== undefined && declared !== options.version)
  ) {
    throw new ResourceVersionMismatchError(
      `wordpress:${options.version ?? 'unknown'}`,
      options.version ?? '(none)',
      declared,
      location,
    )
  }
  const bytes = found.kind === 'directory' ? await zipWordPressDirectory(found.root) : found.bytes
  const sha256 = sha256Digest(bytes)
  checkPin(`wordpress:${version}`, options.pin, sha256, location)
  const key = lockKey('wordpress', 'wordpress', version)
  const updateLock = options.updateLock ?? false
  await checkLock(context.lockFile, key, sha256, location, 'cache-add', updateLock)
  const cached = wordpressZipPath(context.cacheDir, version)
  await writeFileAtomic(cached, bytes)
  await recordLock(context.lockFile, key, sha256, 'cache-add', location, updateLock)
  return resolvedWordPress(version, sha256, 'cache', location, cached)
}
