import { realpath } from 'node:fs/promises'
import path from 'node:path'
import { checkPin } from './artifact-checks.js'
import { assertDownloadUrl, downloadFromSource, isUrl } from './download-source.js'
import { isPhar, readWpCliPharVersion } from './phar-file.js'
import type { ResolverContext } from './resolver-context.js'
import { readIfExists, toolPharPath } from './resource-cache.js'
import { sha256Digest } from './resource-digest.js'
import {
  ResourceArchiveError,
  type ResourceLookup,
  ResourceSpecError,
  ResourceUnavailableError,
  ResourceVersionMismatchError,
} from './resource-errors.js'
import { writeFileAtomic } from './resource-lock.js'
import { checkLock, lockKey, recordLock } from './resource-lock-check.js'
import type { ResolvedTool, ResolveResourceOptions } from './resource-resolver.js'
import { type NormalizedToolSpec, normalizeToolSpec, type ToolSpec } from './resource-spec.js'
import { throwIfAborted } from './throw-if-aborted.js'
import { howToProvide } from './unavailable-hints.js'

/** Verifies a phar; caches it unless it is a local source. Also the phar half of `cacheAdd`. */
export async function acceptPhar(
  context: ResolverContext,
  spec: NormalizedToolSpec,
  bytes: Uint8Array,
  origin: 'local' | 'cache' | 'download' | 'cache-add',
  location: string,
  updateLock: boolean,
): Promise<ResolvedTool> {
  const { cacheDir, lockFile } = context
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
    throw new ResourceVersionMismatchError(`tool:${spec.slug}@${spec.version}`, spec.version, found, location)
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
  if (origin !== 'local') await checkLock(lockFile, key, sha256, location, origin, updateLock)
  let file = location
  if (origin === 'download' || origin === 'cache-add') {
    file = toolPharPath(cacheDir, spec.slug, version)
    await writeFileAtomic(file, bytes)
  }
  if (origin !== 'local') await recordLock(lockFile, key, sha256, origin, location, updateLock)
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

/** `ResourceResolver.resolveTool`: local phar, else the cache, else the release download. */
export async function resolveTool(
  context: ResolverContext,
  input: ToolSpec,
  options: ResolveResourceOptions = {},
): Promise<ResolvedTool> {
  const { cacheDir, wpCliTemplate } = context
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
        ...howToProvide(cacheDir, 'tool', spec.slug, spec.version, wpCliTemplate),
      ])
    }
    return acceptPhar(context, spec, bytes, 'local', await realpath(local), updateLock)
  }
  looked.push({ place: 'local', location: '(none)', outcome: 'no source given' })
  if (spec.version !== undefined) {
    const cachedPhar = toolPharPath(cacheDir, spec.slug, spec.version)
    const bytes = await readIfExists(cachedPhar)
    if (bytes !== undefined) return acceptPhar(context, spec, bytes, 'cache', cachedPhar, updateLock)
    looked.push({ place: 'cache', location: cachedPhar, outcome: 'not cached' })
  }
  const url = spec.source ?? wpCliTemplate.replaceAll('{version}', spec.version ?? '')
  if (spec.source !== undefined) assertDownloadUrl(spec.source, '$.source')
  const unavailable = (outcome: string, cause?: unknown): ResourceUnavailableError =>
    new ResourceUnavailableError(
      resource,
      [...looked, { place: 'download', location: url, outcome }],
      howToProvide(cacheDir, 'tool', spec.slug, spec.version, url),
      { cause },
    )
  if (!context.downloadsAllowed) throw unavailable(context.downloadDisabledReason)
  const result = await downloadFromSource(context, url, options)
  if (!result.ok) throw unavailable(result.outcome, result.cause)
  throwIfAborted(options.signal, `Resolving tool ${spec.slug}`)
  return acceptPhar(context, spec, result.bytes, 'download', url, updateLock)
}
