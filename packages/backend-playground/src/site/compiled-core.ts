/**
 * WordPress core compiled once per template and PHP version, shared read-only by every runtime.
 *
 * php-wasm runs OPcache in file-cache-only mode (its default php.ini), with the file cache in each runtime's own
 * memory. A new runtime therefore compiled, optimised and stored all of core on its first request: measured on a
 * 2-core machine, ~1.2 s for the first `wp-load.php` against ~0.15 s for the second, two thirds of it in
 * `zend_optimize_script` and `zend_file_cache_script_store`. Here a trusted PHP worker — the template's own site, no
 * plugins, no user code, network denied — loads WordPress and serves a REST request with its file cache on a host
 * directory; the entries of the immutable directories (`wp-includes`, `wp-admin`, the SQLite integration) are
 * published whole under `<cacheDir>/compiled/`, and every runtime mounts them read-only where PHP looks for them.
 * PHP still checks each entry's timestamp against the file it reads, and only reads entries of its own system id.
 *
 * The first create of a template and PHP version builds it (a few seconds, shared by concurrent creates); it stays
 * on disk for every later create and process, like the template itself.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { readFileSync, realpathSync } from 'node:fs'
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { OPCACHE_FILE_CACHE } from '../worker/load-php.js'
import { PhpWorker } from '../worker/php-worker-client.js'
import type { CompiledCoreSpec } from '../worker/php-worker-protocol.js'
import { publishDir } from './atomic-fs.js'
import { type CompiledBuildOptions, CompiledBuilds } from './compiled-builds.js'
import type { WordPressTemplate } from './prepare-template.js'

/** Directories of core whose compiled entries are shared: the ones runtimes mount read-only from the template. */
export const COMPILED_CORE_DIRS = [
  'wp-includes',
  'wp-admin',
  'wp-content/plugins/sqlite-database-integration',
]

const MARKER = 'codebox-compiled-core.json'

interface CompiledCoreMarker {
  readonly format: 1
  readonly systemId: string
  readonly phpVersion: string
  readonly coreSha256: string
  readonly sqliteSha256: string
}

/** Requests the trusted worker serves to compile what a WordPress load and a REST request include. */
const WARM_URLS = ['/wp-json/', '/wp-json/wp/v2/posts?per_page=1', '/wp-json/wp/v2/pages?per_page=1']

const builds = new CompiledBuilds<CompiledCoreSpec>()

/** `<cacheDir>/compiled/core-<hash>` of a template's core and SQLite layers and a PHP version. */
export function compiledCoreDir(template: WordPressTemplate, phpVersion: string): string {
  const cacheDir = path.dirname(path.dirname(template.coreDir))
  const key = createHash('sha256')
    .update(`${template.coreSha256}\n${template.sqliteSha256}\n${phpVersion}`)
    .digest('hex')
    .slice(0, 32)
  return path.join(cacheDir, 'compiled', `core-${key}`)
}

/**
 * The compiled core of `template` for `phpVersion`: from disk, or built now (once per directory, a few seconds, the
 * first time a template and PHP version meet; later creates and processes find it on disk). Undefined when the
 * build failed: the runtime then compiles core itself, as without it, and this process does not try again.
 *
 * @throws the caller's abort reason when `signal` fires while it waits for the build.
 */
export async function ensureCompiledCore(
  template: WordPressTemplate,
  phpVersion: string,
  options: CompiledBuildOptions = {},
): Promise<CompiledCoreSpec | undefined> {
  const dir = compiledCoreDir(template, phpVersion)
  return builds.ensure(
    dir,
    {
      read: () => compiledCoreAt(dir),
      async build(signal) {
        await buildCompiledCore(template, phpVersion, dir, signal)
        return (ms) => `compiled WordPress core for PHP ${phpVersion} in ${ms} ms (once per template)`
      },
      failure: (error) =>
        `could not compile WordPress core ahead (${(error as Error).message}); PHP compiles it itself`,
    },
    options,
  )
}

function compiledCoreAt(dir: string): CompiledCoreSpec | undefined {
  const marker = readMarker(dir)
  return marker ? { dir: realpathSync(dir), systemId: marker.systemId } : undefined
}

function readMarker(dir: string): CompiledCoreMarker | undefined {
  try {
    const marker = JSON.parse(readFileSync(path.join(dir, MARKER), 'utf8')) as CompiledCoreMarker
    return marker.format === 1 && /^[0-9a-f]{32}$/.test(marker.systemId) ? marker : undefined
  } catch {
    return undefined
  }
}

/** Compiles the core of `template` for `phpVersion` in a trusted PHP worker and publishes it at `dir` (exported for tests). */
export async function buildCompiledCore(
  template: WordPressTemplate,
  phpVersion: string,
  dir: string,
  signal?: AbortSignal,
): Promise<void> {
  await removeAbandonedBuilds(dir)
  await publishDir(dir, async (tmp) => {
    await mkdir(tmp, { recursive: true })
    const call = { timeoutMs: 120_000, ...(signal ? { signal } : {}) }
    const worker = await PhpWorker.start(
      {
        phpVersion,
        wordpress: { siteDir: template.siteDir },
        mounts: [{ hostPath: tmp, vfsPath: OPCACHE_FILE_CACHE, readOnly: false }],
      },
      call,
    )
    try {
      const loaded = await worker.run({ code: "<?php require '/wordpress/wp-load.php';" }, call)
      if (loaded.exitCode !== 0) throw new Error(`WordPress did not load: exit ${loaded.exitCode}`)
      for (const url of WARM_URLS) await worker.request({ url }, call)
    } finally {
      await worker.terminate()
    }
    const systemIds = await readdir(tmp)
    const [systemId] = systemIds
    if (systemIds.length !== 1 || !systemId || !/^[0-9a-f]{32}$/.test(systemId)) {
      throw new Error(`expected one OPcache system id directory, found ${JSON.stringify(systemIds)}`)
    }
    // Only the immutable directories are shared: the rest (wp-config, wp-content) is each site's own.
    const wordpress = path.join(tmp, systemId, 'wordpress')
    await prune(wordpress, '')
    const marker: CompiledCoreMarker = {
      format: 1,
      systemId,
      phpVersion,
      coreSha256: template.coreSha256,
      sqliteSha256: template.sqliteSha256,
    }
    await writeFile(path.join(tmp, MARKER), `${JSON.stringify(marker, null, 2)}\n`)
  })
}

/** A build's temp directory older than this was left by a process that exited mid-build (builds take seconds). */
const ABANDONED_BUILD_MS = 30 * 60 * 1000

/** Removes temp directories of builds of `dir` that a process left behind when it exited mid-build. */
async function removeAbandonedBuilds(dir: string): Promise<void> {
  const parent = path.dirname(dir)
  const prefix = `${path.basename(dir)}.tmp-`
  const names = await readdir(parent).catch(() => [] as string[])
  for (const name of names.filter((entry) => entry.startsWith(prefix))) {
    const info = await stat(path.join(parent, name)).catch(() => undefined)
    if (info && Date.now() - info.mtimeMs > ABANDONED_BUILD_MS) {
      await rm(path.join(parent, name), { recursive: true, force: true })
    }
  }
}

/** Removes everything under `root` that is neither a compiled-core directory nor on the way to one. */
async function prune(root: string, relative: string): Promise<void> {
  for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
    const rel = relative ? `${relative}/${entry.name}` : entry.name
    if (COMPILED_CORE_DIRS.includes(rel)) continue
    if (entry.isDirectory() && COMPILED_CORE_DIRS.some((dir) => dir.startsWith(`${rel}/`))) {
      await prune(root, rel)
      continue
    }
    await rm(path.join(root, rel), { recursive: true, force: true })
  }
}
