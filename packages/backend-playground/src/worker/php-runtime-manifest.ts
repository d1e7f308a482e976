import type { ProvenanceComponent } from '@codebox/runtime-core'
import { SUPPORTED_PHP_VERSIONS } from '../playground-options.js'
import { PhpVersionUnsupportedError } from './php-module-errors.js'
import { locatePhpRuntime, type PhpRuntimeFile, runtimeFile } from './php-module-files.js'
import { PhpWorker } from './php-worker-client.js'

/** Schema id of {@link PhpRuntimeManifest}. */
export const PHP_RUNTIME_MANIFEST_SCHEMA = 'codebox/php-runtime-manifest/v1'

/** One PHP extension the runtime package ships, with its digest and whether the runtime loads it. */
export interface PhpRuntimeExtension extends PhpRuntimeFile {
  /** Extension name, e.g. `intl`. */
  readonly name: string
  /** Whether PHP reports it loaded. codebox's worker loads no `.so` extension, so today this is always false. */
  readonly enabled: boolean
}

/**
 * What the PHP runtime of one version is made of, by digest: the `.wasm` module the worker loads, every extension
 * `.so` its package ships, and the extensions PHP reports loaded. Printed by `codebox runtime manifest`, recorded in
 * every runtime's provenance (and so in its bundle).
 */
export interface PhpRuntimeManifest {
  readonly schema: typeof PHP_RUNTIME_MANIFEST_SCHEMA
  readonly php: {
    /** The version asked for, e.g. `8.3`. */
    readonly version: string
    /** The exact release of the build, e.g. `8.3.33`. */
    readonly build: string
    /** `jspi` or `asyncify`: the build the loader picked for this Node.js. */
    readonly variant: string
  }
  /** The npm package holding the build, e.g. `@php-wasm/node-8-3@3.1.56`. */
  readonly package: { readonly name: string; readonly version: string }
  readonly module: PhpRuntimeFile
  readonly extensions: readonly PhpRuntimeExtension[]
  /** `get_loaded_extensions()` of a PHP booted on this module (built-in ones), when it was asked. */
  readonly loadedExtensions?: readonly string[]
}

/**
 * The runtime manifest of `phpVersion`. Digests are computed once per process for each file (they are cached by
 * path, size and mtime), so later calls cost a `stat` per file.
 *
 * @param options.loadedExtensions - what a booted PHP reports (see {@link loadedPhpExtensions}); decides `enabled`.
 */
export async function phpRuntimeManifest(
  phpVersion: string,
  options: { readonly loadedExtensions?: readonly string[] } = {},
): Promise<PhpRuntimeManifest> {
  const location = await locatePhpRuntime(phpVersion)
  const loaded = options.loadedExtensions?.map((name) => name.toLowerCase())
  const extensions: PhpRuntimeExtension[] = []
  for (const [name, file] of location.extensionFiles) {
    extensions.push({
      name,
      ...(await runtimeFile(location, file)),
      enabled: loaded?.includes(name) ?? false,
    })
  }
  return {
    schema: PHP_RUNTIME_MANIFEST_SCHEMA,
    php: { version: phpVersion, build: location.build, variant: location.variant },
    package: { name: location.packageName, version: location.packageVersion },
    module: await runtimeFile(location, location.moduleFile),
    extensions,
    ...(options.loadedExtensions ? { loadedExtensions: [...options.loadedExtensions] } : {}),
  }
}

/** Loaded-extension lists by module digest: every runtime on one module reports the same. */
const loadedByModule = new Map<string, Promise<string[]>>()

/**
 * `get_loaded_extensions()` of the PHP in `worker` (asked once per process and module), sorted. With `cached: false`
 * this worker is always asked: a deterministic runtime must run the same calls whether or not another runtime asked
 * first, or its seeded clock would read differently.
 */
export function loadedPhpExtensions(
  worker: PhpWorker,
  moduleSha256: string,
  options: { readonly cached?: boolean } = {},
): Promise<string[]> {
  if (options.cached === false) return askLoadedExtensions(worker)
  let loaded = loadedByModule.get(moduleSha256)
  if (!loaded) {
    loaded = askLoadedExtensions(worker)
    loadedByModule.set(moduleSha256, loaded)
    loaded.catch(() => loadedByModule.delete(moduleSha256))
  }
  return loaded
}

async function askLoadedExtensions(worker: PhpWorker): Promise<string[]> {
  const result = await worker.run({ code: '<?php echo json_encode(get_loaded_extensions());' })
  const names = JSON.parse(result.stdout) as unknown
  if (!Array.isArray(names)) throw new Error('get_loaded_extensions() did not answer a list')
  return names.map(String).sort((a, b) => a.localeCompare(b))
}

/** The manifest as provenance components: the module (with the loaded extensions) and each shipped extension. */
export function phpRuntimeComponents(manifest: PhpRuntimeManifest): ProvenanceComponent[] {
  const source = (file: PhpRuntimeFile) =>
    `npm:${manifest.package.name}@${manifest.package.version}/${file.file}`
  return [
    {
      kind: 'php',
      name: 'php-wasm-module',
      version: `${manifest.php.build} (${manifest.php.variant})`,
      sha256: manifest.module.sha256,
      source: source(manifest.module),
      ...(manifest.loadedExtensions ? { extensions: [...manifest.loadedExtensions] } : {}),
    },
    ...manifest.extensions.map(
      (extension): ProvenanceComponent => ({
        kind: 'php',
        name: `php-extension:${extension.name}`,
        sha256: extension.sha256,
        source: source(extension),
        enabled: extension.enabled,
      }),
    ),
  ]
}

/** Options of {@link inspectPhpRuntime}. */
export interface InspectPhpRuntimeOptions {
  /** PHP version. Default `8.3`. */
  readonly phpVersion?: string
  /** The codebox cache (where the module's first-seen digest is recorded). Default `$CODEBOX_CACHE_DIR` or `~/.cache/codebox`. */
  readonly cacheDir?: string
}

/**
 * Boots PHP once (no WordPress) to read its loaded extensions and returns the full runtime manifest; the boot checks
 * the module as every runtime's does. What `codebox runtime manifest` prints.
 *
 * @throws {@link PhpVersionUnsupportedError} `PHP_VERSION_UNSUPPORTED` for a version codebox does not run.
 * @throws {@link PhpModuleInvalidError} `PHP_MODULE_INVALID` for a truncated, corrupted or changed module.
 */
export async function inspectPhpRuntime(options: InspectPhpRuntimeOptions = {}): Promise<PhpRuntimeManifest> {
  const phpVersion = options.phpVersion ?? '8.3'
  if (!(SUPPORTED_PHP_VERSIONS as readonly string[]).includes(phpVersion)) {
    throw new PhpVersionUnsupportedError(
      phpVersion,
      [...SUPPORTED_PHP_VERSIONS].reverse(),
      'codebox runtimes',
    )
  }
  await using worker = await PhpWorker.start({
    phpVersion,
    network: 'deny',
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
  })
  const manifest = await phpRuntimeManifest(phpVersion)
  const loadedExtensions = await loadedPhpExtensions(worker, manifest.module.sha256)
  return phpRuntimeManifest(phpVersion, { loadedExtensions })
}
