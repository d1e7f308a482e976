/**
 * Where the PHP worker thread's code comes from.
 *
 * - **Built** (an installed package, `dist/`): tsc's `dist/worker/php-worker.js`, which Node loads as is.
 * - **Source** (this repository: vitest, or tsx for the CLI and the benchmarks): Node 20 cannot run
 *   TypeScript in a worker thread, and neither vitest's transform nor tsx's loader is needed there. The entry
 *   and everything it imports from this repository (`@codebox/policy/network-match` included, through its
 *   `source` condition) are bundled by esbuild into one ESM file in `node_modules/.cache/codebox-php-worker/`;
 *   npm packages (`@php-wasm/*`) stay imports, which Node resolves from there like from the package itself.
 *   A manifest records the SHA-256 of every bundled file, so a process whose sources are unchanged reuses the
 *   bundle after hashing a handful of small files, without loading esbuild; a change produces a new bundle.
 *
 * Either way the worker starts from plain JavaScript and spends no time compiling TypeScript.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** How to start the worker thread. */
export interface PhpWorkerEntry {
  /** The ESM file to run. */
  readonly url: URL
  /**
   * Node options for the thread. From source the host's own (tsx's loader, `--conditions=source`) are
   * dropped: the bundle needs none of them, and tsx's loader would otherwise start in every worker.
   * Undefined: inherit the host's, as Node does by default.
   */
  readonly execArgv?: string[]
}

/** Options of {@link bundleWorkerEntry}. */
export interface BundleWorkerEntryOptions {
  /** The TypeScript entry file. */
  readonly entry: string
  /** Directory for bundles and the manifest; created when missing. */
  readonly cacheDir: string
}

/** A bundle from {@link bundleWorkerEntry}. */
export interface BundledWorkerEntry {
  readonly url: URL
  /** False when the manifest showed the sources unchanged and the existing bundle was used. */
  readonly built: boolean
}

interface Manifest {
  readonly bundle: string
  /** Absolute path → SHA-256 of every file in the bundle. */
  readonly inputs: Readonly<Record<string, string>>
}

/** Bundles that no manifest has pointed at for this long are removed when a new one is written. */
const STALE_BUNDLE_MS = 24 * 60 * 60 * 1000

let resolved: Promise<PhpWorkerEntry> | undefined

/** The worker entry for this copy of the package, resolved (and, from source, bundled) once per process. */
export function phpWorkerEntry(): Promise<PhpWorkerEntry> {
  resolved ??= resolveEntry()
  resolved.catch(() => {
    resolved = undefined
  })
  return resolved
}

async function resolveEntry(): Promise<PhpWorkerEntry> {
  // This module is itself TypeScript exactly when the package runs from source.
  if (!import.meta.url.endsWith('.ts')) return { url: new URL('./php-worker.js', import.meta.url) }
  const bundled = await bundleWorkerEntry({
    entry: fileURLToPath(new URL('./php-worker.ts', import.meta.url)),
    cacheDir: fileURLToPath(new URL('../../node_modules/.cache/codebox-php-worker/', import.meta.url)),
  })
  return { url: bundled.url, execArgv: [] }
}

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex')

/**
 * Bundles a TypeScript worker entry into one ESM file under `cacheDir`, or reuses the bundle the manifest
 * names when every file it was built from still has the recorded hash. Bare imports other than `@codebox/*`
 * stay imports. Concurrent callers (parallel test processes) may both build; each writes atomically and the
 * results are identical.
 */
export async function bundleWorkerEntry(options: BundleWorkerEntryOptions): Promise<BundledWorkerEntry> {
  const manifestPath = path.join(options.cacheDir, `${path.basename(options.entry)}.manifest.json`)
  const reusable = await reusableBundle(manifestPath, options.cacheDir)
  if (reusable) return { url: pathToFileURL(reusable), built: false }

  const esbuild = await import('esbuild')
  const workingDir = path.dirname(options.entry)
  const result = await esbuild.build({
    entryPoints: [options.entry],
    absWorkingDir: workingDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'codebox-external-packages',
        setup(build) {
          // npm packages and Node built-ins stay imports; only this repository's code is bundled.
          build.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@codebox/') ? undefined : { path: args.path, external: true },
          )
        },
      },
    ],
  })
  const code = result.outputFiles[0]?.contents
  if (!code) throw new Error(`esbuild produced no output for ${options.entry}`)
  const bundleName = `${path.basename(options.entry, '.ts')}-${sha256(code).slice(0, 16)}.mjs`
  const inputs: Record<string, string> = {}
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = path.resolve(workingDir, input)
    inputs[file] = sha256(await readFile(file))
  }
  await mkdir(options.cacheDir, { recursive: true })
  const bundlePath = path.join(options.cacheDir, bundleName)
  await writeAtomically(bundlePath, code)
  await writeAtomically(manifestPath, JSON.stringify({ bundle: bundleName, inputs } satisfies Manifest))
  await removeStaleBundles(options.cacheDir, bundleName)
  return { url: pathToFileURL(bundlePath), built: true }
}

/** The bundle the manifest names, if it exists and every input still hashes as recorded. */
async function reusableBundle(manifestPath: string, cacheDir: string): Promise<string | undefined> {
  let manifest: Manifest
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest
  } catch {
    return undefined
  }
  const bundlePath = path.join(cacheDir, manifest.bundle)
  try {
    await stat(bundlePath)
    for (const [file, hash] of Object.entries(manifest.inputs)) {
      if (sha256(await readFile(file)) !== hash) return undefined
    }
  } catch {
    return undefined
  }
  return bundlePath
}

async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  await writeFile(temporary, data)
  await rename(temporary, file)
}

/** Old bundles are left a day before removal: a long-running process may still start workers from one. */
async function removeStaleBundles(cacheDir: string, current: string): Promise<void> {
  for (const name of await readdir(cacheDir)) {
    if (name === current || !name.endsWith('.mjs')) continue
    const file = path.join(cacheDir, name)
    const { mtimeMs } = await stat(file).catch(() => ({ mtimeMs: Date.now() }))
    if (Date.now() - mtimeMs > STALE_BUNDLE_MS) await rm(file, { force: true })
  }
}
