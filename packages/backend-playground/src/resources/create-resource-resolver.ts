import { readdir, readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { assertPluginApproved } from '@codebox/policy'
import { AbortedError } from '@codebox/runtime-core'
import { downloadArtifact } from './download-artifact.js'
import { isPhar, readWpCliPharVersion } from './phar-file.js'
import { findPluginHeader } from './plugin-header.js'
import { createResolverContext, type ResourceResolverOptions } from './resolver-context.js'
import {
  compareVersions,
  ensurePluginLayer,
  listCachedFiles,
  pluginZipPath,
  readIfExists,
  toolPharPath,
} from './resource-cache.js'
import { sha256Digest, treeDigest } from './resource-digest.js'
import {
  ResourceArchiveError,
  ResourceIntegrityError,
  type ResourceLookup,
  ResourceSpecError,
  ResourceUnavailableError,
  ResourceUpstreamChangedError,
  ResourceVersionMismatchError,
} from './resource-errors.js'
import {
  type ResourceLockEntry,
  readResourceLock,
  recordResourceLock,
  writeFileAtomic,
} from './resource-lock.js'
import type {
  CacheAddOptions,
  CacheEntry,
  ResolvedPlugin,
  ResolvedResource,
  ResolvedTool,
  ResolveResourceOptions,
  ResourceResolver,
} from './resource-resolver.js'
import {
  isPluginSlug,
  isResourceVersion,
  type NormalizedPluginSpec,
  type NormalizedToolSpec,
  normalizePluginSpec,
  normalizeSha256,
  normalizeToolSpec,
  type PluginSpec,
  type ToolSpec,
} from './resource-spec.js'
import { readPluginZip, zipPluginDirectory } from './zip-archive.js'

function isUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source)
}

function assertDownloadUrl(url: string, field: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ResourceSpecError('plugin spec', [{ path: field, message: `${url} is not a URL` }])
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new ResourceSpecError('plugin spec', [
      {
        path: field,
        message: `${url} must be an https:// URL (plain http:// is only allowed for loopback hosts)`,
      },
    ])
  }
}

function throwIfAborted(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted) throw new AbortedError(operation, signal.reason)
}

/**
 * Creates a resolver for plugins (WPGraphQL and others) and tools (wp-cli.phar).
 *
 * Order: an explicit local `source` (directory, zip or phar — used alone, never silently replaced); else the cache
 * (`<cacheDir>/plugins/<slug>/<version>/<slug>.<version>.zip`, `<cacheDir>/tools/wp-cli/<version>/wp-cli.phar`);
 * else one download from the official source (or the spec's URL), verified, then written to the cache atomically.
 *
 * @example
 * ```ts
 * const resolver = createResourceResolver()
 * const graphql = await resolver.resolvePlugin('wp-graphql') // 2.5.3, from cache or WordPress.org
 * // graphql.path → …/layers/plugin-wp-graphql-2.5.3-<hash>/wp-graphql, graphql.pluginFile → 'wp-graphql/wp-graphql.php'
 * ```
 */
export function createResourceResolver(options: ResourceResolverOptions = {}): ResourceResolver {
  const {
    cacheDir,
    lockFile,
    downloadsAllowed,
    downloadDisabledReason,
    downloadTimeoutMs,
    maxDownloadBytes,
    pluginsBase,
    wpCliTemplate,
    manifest,
    fetchImpl,
  } = createResolverContext(options)

  const howToProvide = (
    kind: 'plugin' | 'tool',
    slug: string,
    version: string | undefined,
    url: string,
  ): string[] => {
    const file =
      kind === 'plugin' ? `${slug}${version === undefined ? '' : `.${version}`}.zip` : 'wp-cli.phar'
    return [
      `seed the cache once: \`codebox cache add /path/to/${file}\` or \`resolver.cacheAdd('/path/to/${file}')\`` +
        (kind === 'plugin' ? ' (a zip or an unpacked plugin directory)' : ''),
      `or pass a local copy: { slug: '${slug}', source: '/path/to/${file}' }`,
      `or set CODEBOX_CACHE_DIR to a cache that already holds it (now ${cacheDir})`,
      `or allow network access to ${url} (unset CODEBOX_OFFLINE, pass download: true)`,
    ]
  }

  const lockKey = (kind: 'plugin' | 'tool', slug: string, version: string): string =>
    `${kind}:${slug}@${version}`

  /** Compares a new artifact with the lock file; throws unless it matches, is new, or updateLock is set. */
  const checkLock = async (
    key: string,
    sha256: string,
    location: string,
    origin: 'download' | 'cache' | 'cache-add',
    updateLock: boolean,
  ): Promise<void> => {
    const entry = (await readResourceLock(lockFile)).entries[key]
    if (entry === undefined || entry.sha256 === sha256 || updateLock) return
    if (origin === 'cache') {
      throw new ResourceIntegrityError(
        key,
        entry.sha256,
        sha256,
        `Cached ${key} at ${location} has ${sha256}, but ${lockFile} recorded ${entry.sha256} when it was first seen ` +
          `(${entry.firstSeen}); the cache file changed. Delete it and resolve again, or pass { updateLock: true } to accept it.`,
        { location, lockFile },
      )
    }
    throw new ResourceUpstreamChangedError(key, entry.sha256, sha256, {
      lockFile,
      firstSeen: entry.firstSeen,
      location,
    })
  }

  const recordLock = async (
    key: string,
    sha256: string,
    origin: ResourceLockEntry['origin'],
    source: string,
    updateLock: boolean,
  ): Promise<void> => {
    const entry: ResourceLockEntry = { sha256, firstSeen: new Date().toISOString(), origin, source }
    const stored = await recordResourceLock(lockFile, key, entry, { replace: updateLock })
    // Another process recorded a different hash between our check and our write: fail closed.
    if (stored.sha256 !== sha256) {
      throw new ResourceUpstreamChangedError(key, stored.sha256, sha256, {
        lockFile,
        firstSeen: stored.firstSeen,
        location: source,
      })
    }
  }

  const checkPin = (key: string, expected: string | undefined, actual: string, location: string): void => {
    if (expected === undefined || expected === actual) return
    throw new ResourceIntegrityError(
      key,
      expected,
      actual,
      `${key} from ${location} has ${actual}, but the spec pins ${expected}. Refusing it (nothing was cached); ` +
        'check the source, or update the pinned sha256 after reviewing the artifact.',
      { location },
    )
  }

  const checkApproved = (slug: string, version: string, sha256: string): void => {
    if (manifest === undefined) return
    assertPluginApproved(manifest, { slug, version, sha256: sha256.replace(/^sha256:/, '') })
  }

  const versionFromHeader = (
    spec: { slug: string; version: string | undefined },
    headerVersion: string | undefined,
    location: string,
  ): string => {
    if (spec.version !== undefined && headerVersion !== undefined && spec.version !== headerVersion) {
      throw new ResourceVersionMismatchError(
        `plugin:${spec.slug}@${spec.version}`,
        spec.version,
        headerVersion,
        location,
      )
    }
    const version = headerVersion ?? spec.version
    if (version === undefined || !isResourceVersion(version)) {
      throw new ResourceSpecError('plugin spec', [
        {
          path: '$.version',
          message: `${location} has no usable "Version:" header; give the version in the spec (or cacheAdd options)`,
        },
      ])
    }
    return version
  }

  /** Verifies a plugin zip and (for downloads) caches it; returns the extracted layer. */
  const acceptPluginZip = async (
    spec: NormalizedPluginSpec,
    bytes: Uint8Array,
    origin: 'local' | 'cache' | 'download',
    location: string,
    updateLock: boolean,
  ): Promise<ResolvedPlugin> => {
    const sha256 = sha256Digest(bytes)
    checkPin(`plugin:${spec.slug}@${spec.version ?? 'latest'}`, spec.sha256, sha256, location)
    const archive = readPluginZip(bytes, location)
    const topLevelPhp = [...archive.files.keys()].filter(
      (name) => !name.includes('/') && name.endsWith('.php'),
    )
    const header = await findPluginHeader(
      topLevelPhp,
      (file) => archive.files.get(file) ?? new Uint8Array(),
      spec.slug,
    )
    if (header === undefined) throw noHeader(location)
    const version = versionFromHeader(spec, header.version, location)
    const key = lockKey('plugin', spec.slug, version)
    if (origin !== 'local') await checkLock(key, sha256, location, origin, updateLock)
    checkApproved(spec.slug, version, sha256)
    if (origin === 'download') await writeFileAtomic(pluginZipPath(cacheDir, spec.slug, version), bytes)
    const pluginDir = await ensurePluginLayer(cacheDir, spec.slug, version, sha256, archive)
    if (origin !== 'local') await recordLock(key, sha256, origin, location, updateLock)
    return {
      kind: 'plugin',
      slug: spec.slug,
      version,
      sha256,
      origin,
      source: location,
      path: pluginDir,
      pluginFile: `${spec.slug}/${header.file}`,
      name: header.name,
      activate: spec.activate,
      loadAs: spec.loadAs,
    }
  }

  const resolvePluginDirectory = async (
    spec: NormalizedPluginSpec,
    directory: string,
  ): Promise<ResolvedPlugin> => {
    const entries = await readdir(directory, { withFileTypes: true })
    const topLevelPhp = entries.filter((e) => e.isFile() && e.name.endsWith('.php')).map((e) => e.name)
    const header = await findPluginHeader(
      topLevelPhp,
      async (file) => (await readFile(path.join(directory, file))).subarray(0, 8192),
      spec.slug,
    )
    if (header === undefined) throw noHeader(directory)
    const version = versionFromHeader(spec, header.version, directory)
    const sha256 = await treeDigest(directory)
    checkPin(lockKey('plugin', spec.slug, version), spec.sha256, sha256, directory)
    checkApproved(spec.slug, version, sha256)
    return {
      kind: 'plugin',
      slug: spec.slug,
      version,
      sha256,
      origin: 'local',
      source: directory,
      path: directory,
      pluginFile: `${spec.slug}/${header.file}`,
      name: header.name,
      activate: spec.activate,
      loadAs: spec.loadAs,
    }
  }

  const download = async (url: string, options: ResolveResourceOptions) => {
    if (fetchImpl === undefined && typeof fetch !== 'function')
      throw new Error('no fetch implementation available')
    return downloadArtifact(url, {
      fetch: fetchImpl ?? fetch,
      timeoutMs: options.timeoutMs ?? downloadTimeoutMs,
      maxBytes: maxDownloadBytes,
      signal: options.signal,
    })
  }

  const resolvePlugin = async (
    input: PluginSpec,
    options: ResolveResourceOptions = {},
  ): Promise<ResolvedPlugin> => {
    const spec = normalizePluginSpec(input)
    const operation = `Resolving plugin ${spec.slug}`
    throwIfAborted(options.signal, operation)
    const updateLock = options.updateLock ?? false
    const resource = `plugin:${spec.slug}@${spec.version ?? 'latest'}`
    const looked: ResourceLookup[] = []

    if (spec.source !== undefined && !isUrl(spec.source)) {
      const local = path.resolve(spec.source)
      const info = await stat(local).catch(() => undefined)
      if (info === undefined) {
        looked.push({ place: 'local', location: local, outcome: 'not found' })
        throw new ResourceUnavailableError(resource, looked, [
          `fix the spec's source (${spec.source}); an explicit source is used alone, never replaced by the cache`,
          ...howToProvide('plugin', spec.slug, spec.version, pluginsBase),
        ])
      }
      const real = await realpath(local)
      if (info.isDirectory()) return resolvePluginDirectory(spec, real)
      return acceptPluginZip(spec, await readFile(real), 'local', real, updateLock)
    }
    looked.push({ place: 'local', location: '(none)', outcome: 'no source given' })

    let version = spec.version
    if (version === undefined && spec.source === undefined) {
      const cached = (await listCachedFiles(cacheDir)).filter(
        (f) => f.kind === 'plugin' && f.slug === spec.slug,
      )
      version = cached
        .map((f) => f.version)
        .sort(compareVersions)
        .at(-1)
      if (version === undefined) {
        looked.push({
          place: 'cache',
          location: path.join(cacheDir, 'plugins', spec.slug),
          outcome: 'no version cached',
        })
      }
    }
    if (version !== undefined) {
      const cachedZip = pluginZipPath(cacheDir, spec.slug, version)
      const bytes = await readIfExists(cachedZip)
      if (bytes !== undefined)
        return acceptPluginZip({ ...spec, version }, bytes, 'cache', cachedZip, updateLock)
      looked.push({ place: 'cache', location: cachedZip, outcome: 'not cached' })
    }

    const url =
      spec.source ??
      `${pluginsBase.endsWith('/') ? pluginsBase : `${pluginsBase}/`}${spec.slug}${version === undefined ? '' : `.${version}`}.zip`
    if (spec.source !== undefined) assertDownloadUrl(spec.source, '$.source')
    const unavailable = (outcome: string, cause?: unknown): ResourceUnavailableError =>
      new ResourceUnavailableError(
        `plugin:${spec.slug}@${version ?? 'latest'}`,
        [...looked, { place: 'download', location: url, outcome }],
        howToProvide('plugin', spec.slug, version, url),
        { cause },
      )
    if (!downloadsAllowed) throw unavailable(downloadDisabledReason)
    const result = await download(url, options)
    if (!result.ok) throw unavailable(result.outcome, result.cause)
    throwIfAborted(options.signal, operation)
    return acceptPluginZip({ ...spec, version }, result.bytes, 'download', url, updateLock)
  }

  /** Verifies a phar; caches it unless it is a local source. */
  const acceptPhar = async (
    spec: NormalizedToolSpec,
    bytes: Uint8Array,
    origin: 'local' | 'cache' | 'download' | 'cache-add',
    location: string,
    updateLock: boolean,
  ): Promise<ResolvedTool> => {
    const sha256 = sha256Digest(bytes)
    checkPin(`tool:${spec.slug}@${spec.version ?? 'unknown'}`, spec.sha256, sha256, location)
    if (!isPhar(bytes)) {
      throw new ResourceArchiveError(
        'not-a-phar',
        `${location} is not a PHP archive (no __HALT_COMPILER(); stub); expected wp-cli.phar.`,
        { location },
      )
    }
    const found = readWpCliPharVersion(bytes)
    if (spec.version !== undefined && found !== undefined && spec.version !== found) {
      throw new ResourceVersionMismatchError(
        `tool:${spec.slug}@${spec.version}`,
        spec.version,
        found,
        location,
      )
    }
    const version = found ?? spec.version
    if (version === undefined) {
      throw new ResourceSpecError('tool spec', [
        {
          path: '$.version',
          message: `cannot read the WP-CLI version from ${location}; give the version explicitly`,
        },
      ])
    }
    const key = lockKey('tool', spec.slug, version)
    if (origin !== 'local') await checkLock(key, sha256, location, origin, updateLock)
    let file = location
    if (origin === 'download' || origin === 'cache-add') {
      file = toolPharPath(cacheDir, spec.slug, version)
      await writeFileAtomic(file, bytes)
    }
    if (origin !== 'local') await recordLock(key, sha256, origin, location, updateLock)
    return {
      kind: 'tool',
      slug: spec.slug,
      version,
      sha256,
      origin: origin === 'cache-add' ? 'cache' : origin,
      source: location,
      path: file,
      activate: false,
      loadAs: 'plugin',
    }
  }

  const resolveTool = async (
    input: ToolSpec,
    options: ResolveResourceOptions = {},
  ): Promise<ResolvedTool> => {
    const spec = normalizeToolSpec(input)
    throwIfAborted(options.signal, `Resolving tool ${spec.slug}`)
    const updateLock = options.updateLock ?? false
    const resource = `tool:${spec.slug}@${spec.version ?? 'unknown'}`
    const looked: ResourceLookup[] = []
    if (spec.source !== undefined && !isUrl(spec.source)) {
      const local = path.resolve(spec.source)
      const bytes = await readIfExists(local)
      if (bytes === undefined) {
        looked.push({ place: 'local', location: local, outcome: 'not found' })
        throw new ResourceUnavailableError(resource, looked, [
          `fix the spec's source (${spec.source}); an explicit source is used alone, never replaced by the cache`,
          ...howToProvide('tool', spec.slug, spec.version, wpCliTemplate),
        ])
      }
      return acceptPhar(spec, bytes, 'local', await realpath(local), updateLock)
    }
    looked.push({ place: 'local', location: '(none)', outcome: 'no source given' })
    if (spec.version !== undefined) {
      const cachedPhar = toolPharPath(cacheDir, spec.slug, spec.version)
      const bytes = await readIfExists(cachedPhar)
      if (bytes !== undefined) return acceptPhar(spec, bytes, 'cache', cachedPhar, updateLock)
      looked.push({ place: 'cache', location: cachedPhar, outcome: 'not cached' })
    }
    const url = spec.source ?? wpCliTemplate.replaceAll('{version}', spec.version ?? '')
    if (spec.source !== undefined) assertDownloadUrl(spec.source, '$.source')
    const unavailable = (outcome: string, cause?: unknown): ResourceUnavailableError =>
      new ResourceUnavailableError(
        resource,
        [...looked, { place: 'download', location: url, outcome }],
        howToProvide('tool', spec.slug, spec.version, url),
        { cause },
      )
    if (!downloadsAllowed) throw unavailable(downloadDisabledReason)
    const result = await download(url, options)
    if (!result.ok) throw unavailable(result.outcome, result.cause)
    throwIfAborted(options.signal, `Resolving tool ${spec.slug}`)
    return acceptPhar(spec, result.bytes, 'download', url, updateLock)
  }

  const cacheAdd = async (input: string, options: CacheAddOptions = {}): Promise<ResolvedResource> => {
    throwIfAborted(options.signal, `Adding ${input} to the cache`)
    const location = await realpath(path.resolve(input)).catch(() => {
      throw new ResourceUnavailableError(
        `file:${input}`,
        [{ place: 'local', location: path.resolve(input), outcome: 'not found' }],
        ['give cacheAdd an existing plugin zip, plugin directory or wp-cli.phar'],
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
    if (info.isFile() && location.endsWith('.phar')) {
      const spec = normalizeToolSpec({
        name: options.slug ?? 'wp-cli',
        ...(options.version === undefined ? {} : { version: options.version }),
        source: location,
        ...(pin === undefined ? {} : { sha256: pin }),
      })
      return acceptPhar(spec, await readFile(location), 'cache-add', location, updateLock)
    }
    let bytes: Uint8Array
    let slug = options.slug
    if (info.isDirectory()) {
      slug ??= path.basename(location)
      bytes = await zipPluginDirectory(location, slug)
    } else {
      bytes = await readFile(location)
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
    const topLevelPhp = [...archive.files.keys()].filter(
      (name) => !name.includes('/') && name.endsWith('.php'),
    )
    const header = await findPluginHeader(
      topLevelPhp,
      (file) => archive.files.get(file) ?? new Uint8Array(),
      slug,
    )
    if (header === undefined) throw noHeader(location)
    const version = versionFromHeader(spec, header.version, location)
    const key = lockKey('plugin', slug, version)
    await checkLock(key, sha256, location, 'cache-add', updateLock)
    const cachedZip = pluginZipPath(cacheDir, slug, version)
    await writeFileAtomic(cachedZip, bytes)
    const pluginDir = await ensurePluginLayer(cacheDir, slug, version, sha256, archive)
    await recordLock(key, sha256, 'cache-add', location, updateLock)
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

  const cacheList = async (): Promise<CacheEntry[]> => {
    const lock = await readResourceLock(lockFile)
    const entries: CacheEntry[] = []
    for (const file of await listCachedFiles(cacheDir)) {
      const bytes = await readFile(file.path)
      const sha256 = sha256Digest(bytes)
      const locked = lock.entries[lockKey(file.kind, file.slug, file.version)]
      entries.push({
        ...file,
        sha256,
        sizeBytes: bytes.byteLength,
        lock: locked,
        matchesLock: locked === undefined || locked.sha256 === sha256,
      })
    }
    return entries
  }

  return { cacheDir, lockFile, resolvePlugin, resolveTool, cacheAdd, cacheList }
}

function noHeader(location: string): ResourceArchiveError {
  return new ResourceArchiveError(
    'no-plugin-header',
    `${location} has no top-level PHP file with a "Plugin Name:" header, so WordPress would not see a plugin. ` +
      'Check that it is a plugin zip or directory (the main file sits at its top level).',
    { location },
  )
}
