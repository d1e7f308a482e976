/**
 * Plugin layers compiled once per plugin digest and PHP build, shared read-only by every runtime, like core
 * (`compiled-core.ts`).
 *
 * A runtime's first GraphQL request compiled all of WPGraphQL it includes, in its own memory, before answering. Here
 * a PHP worker with no WordPress and no site compiles every `.php` file of the plugin layer with
 * `opcache_compile_file()`, which compiles without executing anything: no plugin code runs. The only writable
 * directory that worker has is the plugin's own part of the file cache, so a layer's entries can only ever come from
 * that layer's files. Runtimes mount them read-only where PHP's file cache looks for them; PHP still checks each
 * entry's timestamp against the file it reads.
 *
 * Only layers that never change qualify: plugins from the cache or a download. A local plugin directory is the one a
 * user edits, and PHP compiles it itself.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ResolvedPlugin } from '../resources/index.js'
import { OPCACHE_FILE_CACHE } from '../worker/load-php.js'
import { PhpWorker } from '../worker/php-worker-client.js'
import type { CompiledCoreSpec, CompiledLayerSpec } from '../worker/php-worker-protocol.js'
import { publishDir } from './atomic-fs.js'
import { type CompiledBuildOptions, CompiledBuilds } from './compiled-builds.js'
import { pluginVfsPath } from './template-cache.js'

const MARKER = 'codebox-compiled-plugin.json'
const ENTRIES = 'entries'

interface CompiledPluginMarker {
  readonly format: 1
  readonly systemId: string
  readonly phpVersion: string
  readonly sha256: string
  readonly vfsPath: string
  readonly compiled: number
  readonly failed: number
}

const builds = new CompiledBuilds<CompiledLayerSpec>()

/**
 * `<cacheDir>/compiled/plugin-<hash>` of a plugin layer, where it is mounted, its files' timestamps and a PHP build.
 *
 * PHP checks each entry's timestamp against its file's mtime, and it cannot replace an entry in a read-only mount:
 * an entry whose file was touched after the build would be compiled again on every request, slower than no compiled
 * layer at all. So the key covers every PHP file's size and mtime (one `stat` each on every create: ~1.5 ms for
 * WPGraphQL's 498 files here): a touched layer gets a new directory, built once.
 */
export function compiledPluginDir(
  cacheDir: string,
  plugin: Pick<ResolvedPlugin, 'sha256' | 'slug' | 'loadAs' | 'path'>,
  core: Pick<CompiledCoreSpec, 'systemId'>,
): string {
  const key = createHash('sha256')
    .update(`${plugin.sha256}\n${pluginVfsPath(plugin)}\n${core.systemId}\n`)
    .update(phpFilesFingerprint(plugin.path))
    .digest('hex')
    .slice(0, 32)
  return path.join(cacheDir, 'compiled', `plugin-${key}`)
}

/** The PHP files of each layer directory, listed once per process: a layer's set of files is fixed by its digest. */
const phpFileLists = new Map<string, readonly string[]>()

/** Every PHP file's relative path, size and mtime under `dir`, in a stable order (what OPcache's entries depend on). */
function phpFilesFingerprint(dir: string): string {
  let files = phpFileLists.get(dir)
  if (!files) {
    files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.php'))
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
      .sort()
    phpFileLists.set(dir, files)
  }
  return files
    .map((file) => {
      const info = statSync(path.join(dir, file))
      return `${file}\0${info.size}\0${info.mtimeMs}`
    })
    .join('\n')
}

/**
 * `core` with the compiled layers of `plugins` that are immutable: each from disk, or compiled now (once per
 * directory, shared by concurrent creates). A layer whose build fails is left out, and PHP compiles that plugin
 * itself, as without it; this process does not try that build again.
 *
 * @throws the caller's abort reason when `signal` fires while it waits for a build.
 */
export async function withCompiledPlugins(
  core: CompiledCoreSpec,
  plugins: readonly ResolvedPlugin[],
  phpVersion: string,
  cacheDir: string,
  options: CompiledBuildOptions = {},
): Promise<CompiledCoreSpec> {
  const layers: CompiledLayerSpec[] = []
  for (const plugin of plugins.filter((candidate) => candidate.origin !== 'local')) {
    let dir: string
    try {
      dir = compiledPluginDir(cacheDir, plugin, core)
    } catch (error) {
      options.progress?.(couldNotCompile(plugin, error))
      continue
    }
    const layer = await builds.ensure(
      dir,
      {
        read: () => compiledLayerAt(dir, core.systemId),
        async build(signal) {
          const marker = await buildCompiledPlugin(plugin, phpVersion, core.systemId, dir, signal)
          return (ms) =>
            `compiled ${marker.compiled} files of plugin ${plugin.slug} for PHP ${phpVersion} in ${ms} ms (once per plugin)`
        },
        failure: (error) => couldNotCompile(plugin, error),
      },
      options,
    )
    if (layer) layers.push(layer)
  }
  return layers.length === 0 ? core : { ...core, layers: [...(core.layers ?? []), ...layers] }
}

function couldNotCompile(plugin: Pick<ResolvedPlugin, 'slug'>, error: unknown): string {
  return `could not compile plugin ${plugin.slug} ahead (${(error as Error).message}); PHP compiles it itself`
}

function compiledLayerAt(dir: string, systemId: string): CompiledLayerSpec | undefined {
  try {
    const marker = JSON.parse(readFileSync(path.join(dir, MARKER), 'utf8')) as CompiledPluginMarker
    if (marker.format !== 1 || marker.systemId !== systemId) return undefined
    return { dir: path.join(dir, ENTRIES), vfsPath: marker.vfsPath }
  } catch {
    return undefined
  }
}

/**
 * Compiles every `.php` file of `plugin` without executing any, in a PHP worker whose only writable directory is
 * the plugin's part of the file cache, and publishes the entries at `dir` (exported for tests).
 *
 * @throws when PHP's system id is not `systemId` (another PHP build), or when no file compiled.
 */
export async function buildCompiledPlugin(
  plugin: Pick<ResolvedPlugin, 'sha256' | 'slug' | 'loadAs' | 'path'>,
  phpVersion: string,
  systemId: string,
  dir: string,
  signal?: AbortSignal,
): Promise<CompiledPluginMarker> {
  const vfsPath = pluginVfsPath(plugin)
  let marker: CompiledPluginMarker | undefined
  await publishDir(dir, async (tmp) => {
    const entries = path.join(tmp, ENTRIES)
    await mkdir(entries, { recursive: true })
    const call = { timeoutMs: 120_000, ...(signal ? { signal } : {}) }
    const worker = await PhpWorker.start(
      {
        phpVersion,
        network: 'deny',
        // OPcache skips files modified in the last 2 s by default: a layer just extracted would compile to nothing.
        phpIni: { 'opcache.file_update_protection': '0' },
        mounts: [
          { hostPath: plugin.path, vfsPath, readOnly: true },
          { hostPath: entries, vfsPath: `${OPCACHE_FILE_CACHE}/${systemId}${vfsPath}`, readOnly: false },
        ],
      },
      call,
    )
    let counts: { compiled: number; failed: number }
    try {
      const result = await worker.run({ code: compileAllCode(vfsPath) }, call)
      if (result.exitCode !== 0) throw new Error(`PHP exited with ${result.exitCode}: ${result.stderr}`)
      counts = JSON.parse(result.stdout) as typeof counts
    } finally {
      await worker.terminate()
    }
    // PHP writes under its own system id: another PHP build than the compiled core's leaves the mount empty.
    const written = await countEntries(entries)
    if (written === 0) {
      throw new Error(
        `PHP compiled ${counts.compiled} files but wrote none under system id ${systemId} (another PHP build?)`,
      )
    }
    marker = {
      format: 1,
      systemId,
      phpVersion,
      sha256: plugin.sha256,
      vfsPath,
      compiled: counts.compiled,
      failed: counts.failed,
    }
    await writeFile(path.join(tmp, MARKER), `${JSON.stringify(marker, null, 2)}\n`)
  })
  return marker ?? JSON.parse(readFileSync(path.join(dir, MARKER), 'utf8'))
}

/**
 * PHP that compiles (never runs) every `.php` file under `root` into the file cache, and prints how many compiled
 * and how many did not (a file in another PHP version's syntax, say: OPcache reports it as a warning).
 */
function compileAllCode(root: string): string {
  return `<?php
$compiled = 0; $failed = 0;
$files = new RecursiveIteratorIterator(new RecursiveDirectoryIterator(${JSON.stringify(root)}, FilesystemIterator::SKIP_DOTS));
foreach ($files as $file) {
  if (!$file->isFile() || strtolower($file->getExtension()) !== 'php') continue;
  try { @opcache_compile_file($file->getPathname()) ? $compiled++ : $failed++; } catch (Throwable $e) { $failed++; }
}
echo json_encode(['compiled' => $compiled, 'failed' => $failed]);
`
}

async function countEntries(dir: string): Promise<number> {
  const files = await readdir(dir, { recursive: true, withFileTypes: true })
  return files.filter((entry) => entry.isFile() && entry.name.endsWith('.bin')).length
}
