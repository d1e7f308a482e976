import { readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { cacheAddPhpunitPart } from '../phpunit/cache-add-phpunit.js'
import { checkPin, noPluginHeader, versionFromHeader } from './artifact-checks.js'
import { cacheAddWordPress } from './cache-add-wordpress.js'
import { findPluginHeader } from './plugin-header.js'
import { acceptPhar } from './resolve-tool.js'
import type { ResolverContext } from './resolver-context.js'
import { ensurePluginLayer, pluginZipPath } from './resource-cache.js'
import { sha256Digest } from './resource-digest.js'
import { ResourceSpecError, ResourceUnavailableError } from './resource-errors.js'
import { writeFileAtomic } from './resource-lock.js'
import { checkLock, lockKey, recordLock } from './resource-lock-check.js'
import type { CacheAddOptions, ResolvedResource } from './resource-resolver.js'
import {
  isPluginSlug,
  isResourceVersion,
  type NormalizedPluginSpec,
  normalizeSha256,
  normalizeToolSpec,
} from './resource-spec.js'
import { throwIfAborted } from './throw-if-aborted.js'
import { wordpressRootOf, wordpressZipVersion } from './wordpress-release.js'
import { readPluginZip, zipPluginDirectory } from './zip-archive.js'

/**
 * `ResourceResolver.cacheAdd`: puts a plugin zip, a plugin directory (zipped deterministically), a `.phar` or a
 * WordPress release (zip or directory) into the cache without network and records it in the lock file; or a part
 * of `wordpress.phpunit`'s toolkit (PHPUnit 9 phar or tree, the PHPUnit Polyfills, a WordPress test library with
 * `version`), copied to its cache directory (see `cacheAddPhpunitPart`; not recorded in the lock file).
 */
export async function cacheAdd(
  context: ResolverContext,
  input: string,
  options: CacheAddOptions = {},
): Promise<ResolvedResource> {
  const { cacheDir, lockFile } = context
  throwIfAborted(options.signal, `Adding ${input} to the cache`)
  const location = await realpath(path.resolve(input)).catch(() => {
    throw new ResourceUnavailableError(
      `file:${input}`,
      [{ place: 'local', location: path.resolve(input), outcome: 'not found' }],
      [
        'give cacheAdd an existing plugin zip, plugin directory, wp-cli.phar, WordPress release zip or directory, or a PHPUnit toolkit part',
      ],
    )
  })
  const updateLock = options.updateLock ?? false
  const pin = options.sha256 === undefined ? undefined : normalizeSha256(options.sha256)
  if (options.slug !== undefined && !isPluginSlug(options.slug)) {
    throw new ResourceSpecError('cacheAdd options', [
      { path: '$.slug', message: `${options.slug} is not a slug` },
    ])
  }
  if (options.version !== undefined && !isResourceVersion(options.version)) {
    throw new ResourceSpecError('cacheAdd options', [
      { path: '$.version', message: `${options.version} is not a version` },
    ])
  }
  const info = await stat(location)
  // wordpress.phpunit's toolkit parts are recognised first: a PHPUnit phar is a phar too.
  if (info.isDirectory() || location.endsWith('.phar')) {
    const part = await cacheAddPhpunitPart(context, location, info.isDirectory(), { ...options, pin })
    if (part !== undefined) return part
  }
  if (info.isFile() && location.endsWith('.phar')) {
    const spec = normalizeToolSpec({
      name: options.slug ?? 'wp-cli',
      ...(options.version === undefined ? {} : { version: options.version }),
      source: location,
      ...(pin === undefined ? {} : { sha256: pin }),
    })
    return acceptPhar(context, spec, await readFile(location), 'cache-add', location, updateLock)
  }
  // A WordPress release (zip or directory) is recognised by its wp-includes/version.php.
  const wordpressRoot = info.isDirectory() ? wordpressRootOf(location) : undefined
  if (wordpressRoot !== undefined) {
    const versionPhp = await readFile(path.join(wordpressRoot, 'wp-includes', 'version.php'), 'utf8')
    return cacheAddWordPress(
      context,
      location,
      { kind: 'directory', root: wordpressRoot, versionPhp },
      { ...options, pin },
    )
  }
  let bytes: Uint8Array
  let slug = options.slug
  if (info.isDirectory()) {
    slug ??= path.basename(location)
    bytes = await zipPluginDirectory(location, slug)
  } else {
    bytes = await readFile(location)
    const wordpress = location.endsWith('.zip') ? wordpressZipVersion(bytes, location) : undefined
    if (wordpress !== undefined) {
      return cacheAddWordPress(
        context,
        location,
        { kind: 'zip', bytes, version: wordpress },
        { ...options, pin },
      )
    }
    const part = location.endsWith('.zip')
      ? await cacheAddPhpunitPart(context, location, false, { ...options, pin })
      : undefined
    if (part !== undefined) return part
    slug ??= readPluginZip(bytes, location).rootDirectory
  }
  if (slug === undefined || !isPluginSlug(slug)) {
    throw new ResourceSpecError('cacheAdd options', [
      { path: '$.slug', message: `cannot tell the plugin slug of ${location}; pass { slug }` },
    ])
  }
  const spec: NormalizedPluginSpec = {
    kind: 'plugin',
    slug,
    version: options.version,
    source: location,
    sha256: pin,
    activate: true,
    loadAs: 'plugin',
  }
  const sha256 = sha256Digest(bytes)
  checkPin(`plugin:${slug}@${options.version ?? 'unknown'}`, pin, sha256, location)
  const archive = readPluginZip(bytes, location)
  const topLevelPhp = [...archive.files.keys()].filter((name) => !name.includes('/') && name.endsWith('.php'))
  const header = await findPluginHeader(
    topLevelPhp,
    (file) => archive.files.get(file) ?? new Uint8Array(),
    slug,
  )
  if (header === undefined) throw noPluginHeader(location)
  // 'cache-add' always yields a version (or throws): the cache files plugins by version.
  const version = versionFromHeader(spec, header.version, location, 'cache-add') as string
  const key = lockKey('plugin', slug, version)
  await checkLock(lockFile, key, sha256, location, 'cache-add', updateLock)
  const cachedZip = pluginZipPath(cacheDir, slug, version)
  await writeFileAtomic(cachedZip, bytes)
  const pluginDir = await ensurePluginLayer(cacheDir, slug, version, sha256, archive)
  await recordLock(lockFile, key, sha256, 'cache-add', location, updateLock)
  return {
    kind: 'plugin',
    slug,
    version,
    sha256,
    origin: 'cache',
    source: location,
    path: pluginDir,
    pluginFile: `${slug}/${header.file}`,
    name: header.name,
    activate: true,
    loadAs: 'plugin',
  }
}
