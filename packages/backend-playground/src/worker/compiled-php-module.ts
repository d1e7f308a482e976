import { readFile } from 'node:fs/promises'
import * as phpWasmNodeModule from '@php-wasm/node'
import * as phpWasmUniversalModule from '@php-wasm/universal'
import { PhpVersionUnsupportedError } from './php-module-errors.js'

// The @php-wasm/* declarations are not resolvable under NodeNext (see php-worker.mjs); used untyped here.
const { getPHPLoaderModule } = phpWasmNodeModule as unknown as {
  getPHPLoaderModule(version: string): Promise<{ dependencyFilename: string }>
}
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
 * The PHP WebAssembly module for `phpVersion`, compiled once per process and handed to every worker.
 *
 * @throws {@link PhpVersionUnsupportedError} `PHP_VERSION_UNSUPPORTED` before anything is loaded.
 *
 * Each worker compiling the ~23 MB module itself would give every runtime its own machine code: its own lazy
 * compilation on first use and its own tier-up from the baseline compiler, so each new runtime's first WordPress
 * load ran several times slower than its later ones. A `WebAssembly.Module` posted to a worker shares V8's compiled
 * code across threads, so code compiled or optimised for one runtime serves all of them.
 */
export function compiledPhpModule(phpVersion: string): Promise<CompiledPhpModule> {
  assertLoadablePhpVersion(phpVersion, 'the PHP worker (PhpWorker.start({ phpVersion }))')
  let compiled = modules.get(phpVersion)
  if (!compiled) {
    compiled = getPHPLoaderModule(phpVersion).then(async (loader) =>
      wasm.compile(await readFile(loader.dependencyFilename)),
    )
    modules.set(phpVersion, compiled)
    compiled.catch(() => {
      if (modules.get(phpVersion) === compiled) modules.delete(phpVersion)
    })
  }
  return compiled
}
