import { readFile } from 'node:fs/promises'
import path from 'node:path'
import * as phpWasmUniversalModule from '@php-wasm/universal'
import { defaultCacheDir } from '../resources/resource-cache.js'
import { checkPhpModule } from './php-module-check.js'
import { PhpModuleInvalidError, PhpVersionUnsupportedError } from './php-module-errors.js'
import { locatePhpRuntime } from './php-module-files.js'

// The @php-wasm/* declarations are not resolvable under NodeNext (see php-worker.ts); used untyped here.
const { SupportedPHPVersions } = phpWasmUniversalModule as unknown as {
  SupportedPHPVersions: readonly string[]
}

/** PHP versions whose WebAssembly build `@php-wasm/node` ships and the worker loads, newest first. */
export const LOADABLE_PHP_VERSIONS: readonly string[] = Object.freeze([...SupportedPHPVersions])

/**
 * Throws the typed error for a PHP version the worker cannot load.
 *
 * @throws {@link PhpVersionUnsupportedError} `PHP_VERSION_UNSUPPORTED`, listing {@link LOADABLE_PHP_VERSIONS}.
 */
export function assertLoadablePhpVersion(phpVersion: string, where: string): void {
  if (!LOADABLE_PHP_VERSIONS.includes(phpVersion)) {
    throw new PhpVersionUnsupportedError(phpVersion, LOADABLE_PHP_VERSIONS, where)
  }
}

/** A compiled `WebAssembly.Module` (opaque here: this package's TypeScript libs carry no WebAssembly types). */
export type CompiledPhpModule = object

// Typed locally for the same reason.
const wasm = (
  globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledPhpModule> } }
).WebAssembly

const modules = new Map<string, Promise<CompiledPhpModule>>()

/**
 * The PHP WebAssembly module for `phpVersion`, checked and compiled once per process and handed to every worker.
 *
 * Each worker compiling the ~23 MB module itself would give every runtime its own machine code: its own lazy
 * compilation on first use and its own tier-up from the baseline compiler, so each new runtime's first WordPress
 * load ran several times slower than its later ones. A `WebAssembly.Module` posted to a worker shares V8's compiled
 * code across threads, so code compiled or optimised for one runtime serves all of them.
 *
 * Before compiling, the module's SHA-256 is checked against the one recorded in `cacheDir` when this package
 * version was first used (and recorded then), and the bytes are validated as WebAssembly, so a truncated or
 * corrupted module is one typed error naming the file rather than a crash inside the worker.
 *
 * @param cacheDir - the codebox cache holding the recorded digests. Default `$CODEBOX_CACHE_DIR` or `~/.cache/codebox`.
 * @throws {@link PhpVersionUnsupportedError} `PHP_VERSION_UNSUPPORTED` before anything is loaded.
 * @throws {@link PhpModuleInvalidError} `PHP_MODULE_INVALID` for a module that fails the checks.
 */
export function compiledPhpModule(phpVersion: string, cacheDir?: string): Promise<CompiledPhpModule> {
  assertLoadablePhpVersion(phpVersion, 'the PHP worker (PhpWorker.start({ phpVersion }))')
  let compiled = modules.get(phpVersion)
  if (!compiled) {
    compiled = compileChecked(phpVersion, cacheDir ?? defaultCacheDir())
    modules.set(phpVersion, compiled)
    compiled.catch(() => {
      if (modules.get(phpVersion) === compiled) modules.delete(phpVersion)
    })
  }
  return compiled
}

async function compileChecked(phpVersion: string, cacheDir: string): Promise<CompiledPhpModule> {
  const location = await locatePhpRuntime(phpVersion)
  const bytes = await readFile(location.moduleFile)
  const file = path.relative(location.packageDir, location.moduleFile).split(path.sep).join('/')
  await checkPhpModule({
    path: location.moduleFile,
    key: `${location.packageName}@${location.packageVersion}/${file}`,
    packageName: location.packageName,
    bytes,
    cacheDir,
  })
  try {
    return await wasm.compile(bytes)
  } catch (error) {
    throw new PhpModuleInvalidError(
      location.moduleFile,
      'invalid-wasm',
      `The PHP module ${location.moduleFile} does not compile (${error instanceof Error ? error.message : String(error)}); reinstall ${location.packageName}.`,
    )
  }
}
