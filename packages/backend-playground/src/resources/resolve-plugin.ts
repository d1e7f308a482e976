import { readdir, readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { checkApproved, checkPin, noPluginHeader, versionFromHeader } from './artifact-checks.js'
import { assertDownloadUrl, downloadFromSource, isUrl } from './download-source.js'
import { findPluginHeader, type PluginHeader } from './plugin-header.js'
import type { ResolverContext } from './resolver-context.js'
import {
  compareVersions,
  ensurePluginLayer,
  listCachedFiles,
  pluginZipPath,
  readIfExists,
} from './resource-cache.js'
import { sha256Digest, treeDigest } from './resource-digest.js'
import { type ResourceLookup, ResourceUnavailableError } from './resource-errors.js'
import { writeFileAtomic } from './resource-lock.js'
import { checkLock, lockKey, recordLock } from './resource-lock-check.js'
import type { ResolvedPlugin, ResolveResourceOptions } from './resource-resolver.js'
import { type NormalizedPluginSpec, normalizePluginSpec, type PluginSpec } from './resource-spec.js'
import { throwIfAborted } from './throw-if-aborted.js'
import { howToProvide } from './unavailable-hints.js'
import { type PluginArchive, readPluginZip } from './zip-archive.js'

/** What reading a plugin zip tells: its digest and plugin header (and the archive, when it was just read). */
interface PluginZipFacts {
  readonly sha256: string
  readonly header: PluginHeader
  /** The unpacked archive; undefined when the facts came from the memo (read again only if the layer is missing). */
  readonly archive: PluginArchive | undefined
}

async function readPluginZipFacts(
  bytes: Uint8Array,
  slug: string,
  location: string,
): Promise<PluginZipFacts> {
  const sha256 = sha256Digest(bytes)
  const archive = readPluginZip(bytes, location)
  const topLevelPhp = [...archive.files.keys()].filter((name) => !name.includes('/') && name.endsWith('.php'))
  const header = await findPluginHeader(
    topLevelPhp,
    (file) => archive.files.get(file) ?? new Uint8Array(),
    slug,
  )
  if (header === undefined) throw noPluginHeader(location)
  return { sha256, header, archive }
}

/**
 * Facts of cached zips, by file identity (path, size, mtime, inode): hashing and unpacking a plugin zip on every
 * create cost tens of milliseconds (a 1.7 MB WPGraphQL zip), and a cached zip is only ever replaced, never edited
 * in place. Every check that depends on more than the bytes (pin, lock file, approved manifest) still runs per call.
 */
const cachedZipFacts = new Map<string, Omit<PluginZipFacts, 'archive'>>()

async function cachedPluginZipFacts(file: string, slug: string): Promise<PluginZipFacts | undefined> {
  const info = await stat(file).catch(() => undefined)
  if (info === undefined || !info.isFile()) return undefined
  const identity = `${file}\n${info.size}\n${info.mtimeMs}\n${info.ino}`
  const known = cachedZipFacts.get(identity)
  if (known) return { ...known, archive: undefined }
  const bytes = await readIfExists(file)
  if (bytes === undefined) return undefined
  const facts = await readPluginZipFacts(bytes, slug, file)
  cachedZipFacts.set(identity, { sha256: facts.sha256, header: facts.header })
  return facts
}

/** Verifies a plugin zip and (for downloads) caches it; returns the extracted layer. */
async function acceptPluginZip(
  context: ResolverContext,
  spec: NormalizedPluginSpec,
  source: { readonly bytes: Uint8Array } | { readonly facts: PluginZipFacts },
  origin: 'local' | 'cache' | 'download',
  location: string,
  updateLock: boolean,
): Promise<ResolvedPlugin> {
  const { cacheDir, lockFile } = context
  const facts = 'facts' in source ? source.facts : await readPluginZipFacts(source.bytes, spec.slug, location)
  const { sha256, header } = facts
  checkPin(`plugin:${spec.slug}@${spec.version ?? 'latest'}`, spec.sha256, sha256, location)
  const version = versionFromHeader(spec, header.version, location, origin)
  // Only a local zip may lack a version (versionFromHeader); a cached or downloaded one always has it.
  const locked =
    origin === 'local' ? undefined : { key: lockKey('plugin', spec.slug, version as string), origin }
  if (locked) await checkLock(lockFile, locked.key, sha256, location, locked.origin, updateLock)
  checkApproved(context.manifest, spec.slug, version, sha256)
  if (origin === 'download' && 'bytes' in source) {
    await writeFileAtomic(pluginZipPath(cacheDir, spec.slug, version as string), source.bytes)
  }
  const pluginDir = await ensurePluginLayer(cacheDir, spec.slug, version, sha256, async () => {
    if (facts.archive) return facts.archive
    const bytes = await readFile(location)
    return readPluginZip(bytes, location)
  })
  if (locked) await recordLock(lockFile, locked.key, sha256, locked.origin, location, updateLock)
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

/**
 * A local plugin directory is used in place and hashed as a tree; it never enters the cache or the lock file. It
 * needs no `Version:` header: without one it is known by its tree digest.
 */
async function resolvePluginDirectory(
  context: ResolverContext,
  spec: NormalizedPluginSpec,
  directory: string,
): Promise<ResolvedPlugin> {
  const entries = await readdir(directory, { withFileTypes: true })
  const topLevelPhp = entries.filter((e) => e.isFile() && e.name.endsWith('.php')).map((e) => e.name)
  const header = await findPluginHeader(
    topLevelPhp,
    async (file) => (await readFile(path.join(directory, file))).subarray(0, 8192),
    spec.slug,
  )
  if (header === undefined) throw noPluginHeader(directory)
  const version = versionFromHeader(spec, header.version, directory, 'local')
  const sha256 = await treeDigest(directory)
  checkPin(`plugin:${spec.slug}@${version ?? 'local'}`, spec.sha256, sha256, directory)
  checkApproved(context.manifest, spec.slug, version, sha256)
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

/** `ResourceResolver.resolvePlugin`: local source, else the cache (highest cached version if none given), else a download. */
export async function resolvePlugin(
  context: ResolverContext,
  input: PluginSpec,
  options: ResolveResourceOptions = {},
): Promise<ResolvedPlugin> {
  const { cacheDir, pluginsBase } = context
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
        ...howToProvide(cacheDir, 'plugin', spec.slug, spec.version, pluginsBase),
      ])
    }
    const real = await realpath(local)
    if (info.isDirectory()) return resolvePluginDirectory(context, spec, real)
    return acceptPluginZip(context, spec, { bytes: await readFile(real) }, 'local', real, updateLock)
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
    const facts = await cachedPluginZipFacts(cachedZip, spec.slug)
    if (facts !== undefined)
      return acceptPluginZip(context, { ...spec, version }, { facts }, 'cache', cachedZip, updateLock)
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
      howToProvide(cacheDir, 'plugin', spec.slug, version, url),
      { cause },
    )
  if (!context.downloadsAllowed) throw unavailable(context.downloadDisabledReason)
  const result = await downloadFromSource(context, url, options)
  if (!result.ok) throw unavailable(result.outcome, result.cause)
  throwIfAborted(options.signal, operation)
  return acceptPluginZip(context, { ...spec, version }, { bytes: result.bytes }, 'download', url, updateLock)
}
