import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { createResourceResolver } from '@codebox/backend-playground'
import { CliError } from '../cli-error.js'
import { type CliIo, reportError, writeJson } from '../cli-output.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'

/** Options shared by the `codebox cache` commands. */
export interface CacheCommandOptions {
  readonly json?: boolean
  /** Cache directory. Default `$CODEBOX_CACHE_DIR` or `~/.cache/codebox`. */
  readonly cacheDir?: string
}

/** Options of `codebox cache add`. */
export interface CacheAddCommandOptions extends CacheCommandOptions {
  readonly slug?: string
  readonly version?: string
  readonly sha256?: string
}

function resolver(options: CacheCommandOptions) {
  return createResourceResolver({
    download: false,
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
  })
}

/**
 * `codebox cache add <zip|dir|phar>`: adds a plugin, wp-cli.phar, a WordPress release or a part of the PHPUnit
 * toolkit (`wordpress.phpunit`) to the cache, without network.
 */
export async function cacheAddCommand(
  source: string,
  options: CacheAddCommandOptions,
  io: CliIo,
): Promise<ExitCode> {
  const json = options.json === true
  try {
    const path = resolve(source)
    await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new CliError('CLI_FILE_NOT_FOUND', `Cannot read ${path}: ${error.code ?? error.message}`, {
        details: { path, reason: error.code ?? 'unknown' },
      })
    })
    const added = await resolver(options).cacheAdd(path, {
      ...(options.slug === undefined ? {} : { slug: options.slug }),
      ...(options.version === undefined ? {} : { version: options.version }),
      ...(options.sha256 === undefined ? {} : { sha256: options.sha256 }),
    })
    if (json)
      writeJson(io, { command: 'cache add', ok: true, exitCode: EXIT_CODES.OK, result: added, error: null })
    else
      io.stdout.write(
        `cached ${added.kind} ${added.slug}@${added.version} ${added.sha256}\n  ${added.path}\n`,
      )
    return EXIT_CODES.OK
  } catch (error) {
    return reportError(io, 'cache add', error, json)
  }
}

/** `codebox cache list`: every cached plugin zip and phar with its hash and lock status. */
export async function cacheListCommand(options: CacheCommandOptions, io: CliIo): Promise<ExitCode> {
  const json = options.json === true
  try {
    const cache = resolver(options)
    const entries = await cache.cacheList()
    if (json) {
      writeJson(io, {
        command: 'cache list',
        ok: true,
        exitCode: EXIT_CODES.OK,
        result: { cacheDir: cache.cacheDir, entries },
        error: null,
      })
    } else {
      io.stdout.write(
        `cache ${cache.cacheDir}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}\n`,
      )
      for (const entry of entries) {
        io.stdout.write(
          `  ${entry.kind} ${entry.slug}@${entry.version} ${entry.sha256} ${entry.sizeBytes} B${entry.matchesLock ? '' : ' (differs from the lock file: will be refused)'}\n`,
        )
      }
    }
    return EXIT_CODES.OK
  } catch (error) {
    return reportError(io, 'cache list', error, json)
  }
}
