import { inspectPhpRuntime, type PhpRuntimeManifest } from '@codebox/backend-playground'
import { type CliIo, reportError, writeJson } from '../cli-output.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'

/** Options of `codebox runtime manifest`. */
export interface RuntimeManifestCommandOptions {
  /** PHP version. Default `8.3`. */
  readonly php?: string
  readonly json?: boolean
  /** Cache directory (where the module's first-seen digest is recorded). Default `$CODEBOX_CACHE_DIR` or `~/.cache/codebox`. */
  readonly cacheDir?: string
}

function human(manifest: PhpRuntimeManifest): string {
  const { php, module } = manifest
  const lines = [
    `PHP ${php.version} (${php.build}, ${php.variant} build) from ${manifest.package.name}@${manifest.package.version}`,
    `  module    ${module.file}  ${module.sizeBytes} B  ${module.sha256}`,
  ]
  for (const extension of manifest.extensions) {
    lines.push(
      `  extension ${extension.name} (${extension.enabled ? 'enabled' : 'not loaded'})  ${extension.file}  ${extension.sizeBytes} B  ${extension.sha256}`,
    )
  }
  lines.push(`  loaded    ${(manifest.loadedExtensions ?? []).join(', ')}`)
  return `${lines.join('\n')}\n`
}

/**
 * `codebox runtime manifest [--php 8.3] [--json]`: the PHP runtime by digest (the `.wasm` module the worker loads,
 * every extension `.so` its package ships and whether it is loaded, the extensions PHP reports loaded), the same
 * document every runtime records in its provenance. Boots PHP once, which checks the module as a runtime's boot does.
 */
export async function runtimeManifestCommand(
  options: RuntimeManifestCommandOptions,
  io: CliIo,
): Promise<ExitCode> {
  const json = options.json === true
  try {
    const manifest = await inspectPhpRuntime({
      ...(options.php === undefined ? {} : { phpVersion: options.php }),
      ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    })
    if (json) {
      writeJson(io, {
        command: 'runtime manifest',
        ok: true,
        exitCode: EXIT_CODES.OK,
        result: manifest,
        error: null,
      })
    } else io.stdout.write(human(manifest))
    return EXIT_CODES.OK
  } catch (error) {
    return reportError(io, 'runtime manifest', error, json)
  }
}
