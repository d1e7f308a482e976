import { createHash } from 'node:crypto'
import { downloadFromSource } from './download-source.js'
import type { ResolverContext } from './resolver-context.js'
import { compareVersions, listCachedFiles, readIfExists, wordpressZipPath } from './resource-cache.js'
import { sha256Digest } from './resource-digest.js'
import {
  ResourceArchiveError,
  ResourceIntegrityError,
  type ResourceLookup,
  ResourceSpecError,
  ResourceUnavailableError,
} from './resource-errors.js'
import { writeFileAtomic } from './resource-lock.js'
import { checkLock, lockKey, recordLock } from './resource-lock-check.js'
import type { ResolvedWordPress, ResolveResourceOptions } from './resource-resolver.js'
import { throwIfAborted } from './throw-if-aborted.js'
import { isWordPressVersion, wordpressZipVersion } from './wordpress-release.js'

/** The lines of a `RESOURCE_UNAVAILABLE` for a WordPress release: every way to provide it. */
export function howToProvideWordPress(cacheDir: string, version: string, url: string): string[] {
  return [
    `seed the cache once: \`codebox cache add /path/to/wordpress-${version}.zip\` (the release zip from ` +
      `wordpress.org/download/releases, or an unpacked release directory), or resolver.cacheAdd(path)`,
    `or pass the path itself: playground({ wordpress: '/path/to/wordpress-${version}.zip' }) (or a directory)`,
    `or set CODEBOX_CACHE_DIR to a cache that already holds it (now ${cacheDir})`,
    `or allow network access to ${url} (unset CODEBOX_OFFLINE, pass download: true)`,
  ]
}

/** A WordPress release as the resolver returns it. */
export function resolvedWordPress(
  version: string,
  sha256: string,
  origin: 'cache' | 'download',
  source: string,
  file: string,
): ResolvedWordPress {
  const wordpress: ResolvedWordPress = {
    kind: 'wordpress',
    slug: 'wordpress',
    version,
    sha256,
    origin,
    source,
    path: file,
    activate: false,
    loadAs: 'plugin',
  }
  return wordpress
}

/** The SHA-1 wordpress.org publishes next to a release zip (`<zip>.sha1`), as hex; undefined when unreadable. */
function publishedSha1(bytes: Uint8Array): string | undefined {
  const first = new TextDecoder().decode(bytes).trim().split(/\s+/)[0]?.toLowerCase() ?? ''
  return /^[0-9a-f]{40}$/.test(first) ? first : undefined
}

/**
 * `ResourceResolver.resolveWordPress`: a release version from the cache (`<cacheDir>/wordpress/<version>/`), else one
 * download of the official release zip, checked against the SHA-1 wordpress.org publishes beside it and against the
 * version its `wp-includes/version.php` declares, then cached and recorded in the lock file.
 */
export async function resolveWordPress(
  context: ResolverContext,
  version: string,
  options: ResolveResourceOptions = {},
): Promise<ResolvedWordPress> {
  if (!isWordPressVersion(version)) {
    throw new ResourceSpecError('WordPress version', [
      {
        path: '$.wordpress',
        message: `${JSON.stringify(version)} is not a WordPress version; give one such as "6.9"`,
      },
    ])
  }
  const { cacheDir, lockFile } = context
  const updateLock = options.updateLock ?? false
  const resource = `wordpress:${version}`
  const key = lockKey('wordpress', 'wordpress', version)
  throwIfAborted(options.signal, `Resolving WordPress ${version}`)

  const cached = wordpressZipPath(cacheDir, version)
  const bytes = await readIfExists(cached)
  if (bytes !== undefined) {
    const sha256 = sha256Digest(bytes)
    await checkLock(lockFile, key, sha256, cached, 'cache', updateLock)
    return resolvedWordPress(version, sha256, 'cache', cached, cached)
  }
  const looked: ResourceLookup[] = [{ place: 'cache', location: cached, outcome: 'not cached' }]
  const url = context.wordpressReleaseTemplate.replaceAll('{version}', version)
  const unavailable = (outcome: string, cause?: unknown) =>
    new ResourceUnavailableError(
      resource,
      [...looked, { place: 'download', location: url, outcome }],
      howToProvideWordPress(cacheDir, version, url),
      { cause },
    )
  if (!context.downloadsAllowed) throw unavailable(context.downloadDisabledReason)
  const zip = await downloadFromSource(context, url, options)
  if (!zip.ok) throw unavailable(zip.outcome, zip.cause)
  const checksum = await downloadFromSource(context, `${url}.sha1`, options)
  if (!checksum.ok)
    throw unavailable(`the zip came, but its published checksum ${url}.sha1 did not: ${checksum.outcome}`)
  const published = publishedSha1(checksum.bytes)
  if (published === undefined) throw unavailable(`the published checksum ${url}.sha1 is not a SHA-1`)
  const actual = createHash('sha1').update(zip.bytes).digest('hex')
  if (actual !== published) {
    throw new ResourceIntegrityError(
      resource,
      `sha1:${published}`,
      `sha1:${actual}`,
      `${resource} from ${url} has SHA-1 ${actual}, but wordpress.org publishes ${published} for it. Refusing it ` +
        '(nothing was cached); download it again, or provide a verified copy with `codebox cache add`.',
      { location: url },
    )
  }
  const found = wordpressZipVersion(zip.bytes, url)
  if (found !== version) {
    throw new ResourceArchiveError(
      'corrupt',
      `${url} ${found === undefined ? 'holds no WordPress' : `holds WordPress ${found}, not ${version}`}; nothing was cached.`,
      { location: url },
    )
  }
  throwIfAborted(options.signal, `Resolving WordPress ${version}`)
  const sha256 = sha256Digest(zip.bytes)
  await checkLock(lockFile, key, sha256, url, 'download', updateLock)
  await writeFileAtomic(cached, zip.bytes)
  await recordLock(lockFile, key, sha256, 'download', url, updateLock)
  return resolvedWordPress(version, sha256, 'download', url, cached)
}

/** The newest WordPress release in the cache, or undefined. */
export async function newestCachedWordPress(cacheDir: string): Promise<string | undefined> {
  return (await listCachedFiles(cacheDir))
    .filter((file) => file.kind === 'wordpress')
    .map((file) => file.version)
    .sort(compareVersions)
    .at(-1)
}
