import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { playground, playgroundRecipeBackend, serve } from '@codebox/backend-playground'
import { createRuntime, type Runtime, runRecipe } from '@codebox/runtime-core'
import { CliError } from '../cli-error.js'
import { type CliIo, reportError, writeJson } from '../cli-output.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'
import { readJsonFile } from '../read-json-file.js'
import { createRecipeProgress } from '../recipe-progress.js'

/** Options of `codebox serve`. */
export interface ServeCommandOptions {
  /** TCP port on loopback. Default 0: an ephemeral port (printed). */
  readonly port?: number
  /** Loopback host. Default `127.0.0.1`. */
  readonly host?: string
  /** Prepare the runtime with this recipe first (its workflow runs too); must pass to serve. */
  readonly recipe?: string
  /** Restore this snapshot file instead. */
  readonly snapshot?: string
  readonly json?: boolean
  readonly offline?: boolean
  readonly cacheDir?: string
}

/** The `result` of `codebox serve --json`, printed once the server listens. */
export interface ServeCommandResult {
  readonly url: string
  readonly graphqlUrl: string
  readonly restUrl: string
  readonly runtimeId: string
}

async function prepareRuntime(options: ServeCommandOptions, io: CliIo): Promise<Runtime> {
  const backendOptions = {
    ...(options.offline ? { download: false } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  }
  const policy = { commands: { allow: ['wordpress.*'] } }
  if (options.recipe !== undefined) {
    const path = resolve(options.recipe)
    const progress = createRecipeProgress(io, { quiet: options.json === true })
    const result = await runRecipe(await readJsonFile(path), {
      backendFactory: (spec) => playgroundRecipeBackend(spec, backendOptions),
      baseDir: dirname(path),
      keepRuntime: true,
      allowCommands: ['wordpress.http-request'],
      onEvent: progress.onEvent,
    })
    progress.stop()
    if (result.status !== 'ok' || !result.runtime) {
      await result.runtime?.destroy()
      const first = result.diagnostics[0]
      throw new CliError(
        'RECIPE_FAILED',
        `The recipe failed in ${result.failedPhase ?? 'an unknown phase'}${first ? `: ${first.name}: ${first.message}` : ''}; nothing is served.`,
        { details: { diagnostics: result.diagnostics } },
      )
    }
    return result.runtime
  }
  if (options.snapshot !== undefined) {
    const bytes = await readFile(resolve(options.snapshot)).catch((error: NodeJS.ErrnoException) => {
      throw new CliError(
        'CLI_FILE_NOT_FOUND',
        `Cannot read ${options.snapshot}: ${error.code ?? error.message}`,
      )
    })
    return createRuntime({
      backend: playground(backendOptions),
      from: new Uint8Array(bytes),
      policy,
      cleanupOnExit: false,
    }) as Promise<Runtime>
  }
  return createRuntime({
    backend: playground({ ...backendOptions, plugins: ['wp-graphql'] }),
    policy,
    cleanupOnExit: false,
  }) as Promise<Runtime>
}

/**
 * `codebox serve`: a headless WordPress (WPGraphQL by default, or a recipe's or snapshot's site) served on loopback
 * until SIGINT or SIGTERM.
 */
export async function serveCommand(options: ServeCommandOptions, io: CliIo): Promise<ExitCode> {
  const json = options.json === true
  if (options.recipe !== undefined && options.snapshot !== undefined) {
    return reportError(io, 'serve', new CliError('CLI_USAGE', 'Give --recipe or --snapshot, not both'), json)
  }
  let runtime: Runtime | undefined
  try {
    runtime = await prepareRuntime(options, io)
    const server = await serve(runtime, {
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
    })
    const result: ServeCommandResult = {
      url: server.url,
      graphqlUrl: `${server.url}/graphql`,
      restUrl: `${server.url}/wp-json/`,
      runtimeId: runtime.id,
    }
    if (json) writeJson(io, { command: 'serve', ok: true, exitCode: EXIT_CODES.OK, result, error: null })
    else io.stdout.write(`serving ${result.graphqlUrl} and ${result.restUrl} (Ctrl-C to stop)\n`)
    await new Promise<void>((resolveStop) => {
      const stop = () => {
        process.removeListener('SIGINT', stop)
        process.removeListener('SIGTERM', stop)
        resolveStop()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    await server.close()
    return EXIT_CODES.OK
  } catch (error) {
    return reportError(io, 'serve', error, json)
  } finally {
    await runtime?.destroy()
  }
}
