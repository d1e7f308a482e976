import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { throwIfAborted } from './throw-if-aborted.js'
import type { PluginArchive } from './zip-archive.js'

/** The cache directory: `$CODEBOX_CACHE_DIR`, else `~/.cache/codebox`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CODEBOX_CACHE_DIR
  return fromEnv !== undefined && fromEnv !== ''
    ? path.resolve(fromEnv)
    : path.join(os.homedir(), '.cache', 'codebox')
}

/** `<cacheDir>/plugins/<slug>/<version>/<slug>.<version>.zip`. */
export function pluginZipPath(cacheDir: string, slug: string, version: string): string {
  return path.join(cacheDir, 'plugins', slug, version, `${slug}.${version}.zip`)
}

/** `<cacheDir>/tools/<name>/<version>/<name>.phar`. */
export function toolPharPath(cacheDir: string, name: string, version: string): string {
  return path.join(cacheDir, 'tools', name, version, `${name}.phar`)
}

/** `<cacheDir>/layers/plugin-<slug>-<version>-<first 12 hex of sha256>`; the plugin is in its `<slug>/` child. */
export function pluginLayerPath(
  cacheDir: string,
  slug: string,
  version: string | undefined,
  sha256: string,
): string {
  const short = sha256.replace(/^sha256:/, '').slice(0, 12)
  // "unversioned" cannot clash with a version: versions start with a digit or letter and the digest follows anyway.
  return path.join(cacheDir, 'layers', `plugin-${slug}-${version ?? 'unversioned'}-${short}`)
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  )
}

/**
 * Extracts a plugin archive to `<layer>/<slug>/` atomically: everything is written to a temp directory beside it,
 * then renamed into place. The layer name includes the hash, so an existing layer is complete and is reused (and
 * `archive` is never asked for); a concurrent process that wins the rename is reused too.
 *
 * @returns the plugin directory `<layer>/<slug>`.
 */
export async function ensurePluginLayer(
  cacheDir: string,
  slug: string,
  version: string | undefined,
  sha256: string,
  archive: PluginArchive | (() => Promise<PluginArchive>),
): Promise<string> {
  const layer = pluginLayerPath(cacheDir, slug, version, sha256)
  const pluginDir = path.join(layer, slug)
  if (await exists(pluginDir)) return pluginDir
  const files = (typeof archive === 'function' ? await archive() : archive).files
  const prefixed = new Map([...files].map(([relative, data]) => [`${slug}/${relative}`, data] as const))
  await writeDirectoryAtomic(layer, prefixed, { ensure: `${slug}/` })
  return pluginDir
}

/** Options of {@link writeDirectoryAtomic}. */
export interface WriteDirectoryAtomicOptions {
  /**
   * What to do when `target` already exists: `'keep'` (default) keeps it and reports `'exists'` — right for
   * content-addressed places, where an existing directory is already the same content; `'replace'` swaps it for the
   * new one (the old one is removed only after the new one is in place).
   */
  readonly existing?: 'keep' | 'replace'
  /** A relative directory created even when no file lands in it (`<slug>/` of an empty plugin). */
  readonly ensure?: string
  /** Checked before each file; an abort removes what was written so far. */
  readonly signal?: AbortSignal | undefined
}

/**
 * Writes `files` (`/`-separated relative path → bytes) as the directory `target`, atomically: everything goes to a
 * temp directory beside it, which is renamed into place only once complete, so a failure or an abort leaves nothing
 * half-written. A concurrent writer that wins the rename wins (`'exists'`).
 */
export async function writeDirectoryAtomic(
  target: string,
  files: ReadonlyMap<string, Uint8Array>,
  options: WriteDirectoryAtomicOptions = {},
): Promise<'written' | 'exists'> {
  const replace = options.existing === 'replace'
  if (!replace && (await exists(target))) return 'exists'
  await mkdir(path.dirname(target), { recursive: true })
  const temp = path.join(
    path.dirname(target),
    `.tmp-${path.basename(target)}-${process.pid}-${randomBytes(6).toString('hex')}`,
  )
  let old: string | undefined
  try {
    await mkdir(path.join(temp, options.ensure ?? '.'), { recursive: true })
    for (const [relative, data] of files) {
      throwIfAborted(options.signal, `Writing ${target}`)
      const file = path.join(temp, ...relative.split('/'))
      await mkdir(path.dirname(file), { recursive: true })
      await writeFile(file, data, { mode: 0o644 })
    }
    throwIfAborted(options.signal, `Writing ${target}`)
    if (replace && (await exists(target))) {
      old = `${temp}-old`
      await rename(target, old)
    }
    await rename(temp, target)
  } catch (error) {
    await rm(temp, { recursive: true, force: true })
    if (old !== undefined && !(await exists(target))) await rename(old, target).catch(() => undefined)
    const code = (error as NodeJS.ErrnoException).code
    if (!replace && (code === 'ENOTEMPTY' || code === 'EEXIST') && (await exists(target))) return 'exists'
    throw error
  }
  if (old !== undefined) await rm(old, { recursive: true, force: true })
  return 'written'
}

/** One artifact file found in the cache. */
export interface CachedFile {
  readonly kind: 'plugin' | 'tool' | 'wordpress'
  readonly slug: string
  readonly version: string
  readonly path: string
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)
  } catch {
    return []
  }
}

/** Lists the zips and phars in the cache layout (sorted by kind, slug, version). */
/** Where a WordPress release zip is cached: `<cacheDir>/wordpress/<version>/wordpress-<version>.zip`. */
export function wordpressZipPath(cacheDir: string, version: string): string {
  return path.join(cacheDir, 'wordpress', version, `wordpress-${version}.zip`)
}

export async function listCachedFiles(cacheDir: string): Promise<CachedFile[]> {
  const found: CachedFile[] = []
  for (const slug of (await listDir(path.join(cacheDir, 'plugins'))).sort()) {
    for (const version of (await listDir(path.join(cacheDir, 'plugins', slug))).sort(compareVersions)) {
      const file = pluginZipPath(cacheDir, slug, version)
      if (await exists(file)) found.push({ kind: 'plugin', slug, version, path: file })
    }
  }
  for (const version of (await listDir(path.join(cacheDir, 'wordpress'))).sort(compareVersions)) {
    const file = wordpressZipPath(cacheDir, version)
    if (await exists(file)) found.push({ kind: 'wordpress', slug: 'wordpress', version, path: file })
  }
  for (const name of (await listDir(path.join(cacheDir, 'tools'))).sort()) {
    for (const version of (await listDir(path.join(cacheDir, 'tools', name))).sort(compareVersions)) {
      const file = toolPharPath(cacheDir, name, version)
      if (await exists(file)) found.push({ kind: 'tool', slug: name, version, path: file })
    }
  }
  return found
}

/** Orders version strings numerically where they are numeric (`2.10.0` after `2.9.1`). */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}

/** Reads a file, or `undefined` when it does not exist. */
export async function readIfExists(file: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
