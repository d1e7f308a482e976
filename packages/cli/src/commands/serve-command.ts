import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { playground, playgroundRecipeBackend, serve } from '@codebox/backend-playground'
import { AbortedError, createRuntime, type Runtime, runRecipe } from '@codebox/runtime-core'
import { CliError } from '../cli-error.js'
import { type CliIo, reportError, writeJson } from '../cli-output.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'
import { onInterrupt } from '../interrupt-signals.js'
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

async function prepareRuntime(
  options: ServeCommandOptions,
  io: CliIo,
  signal: AbortSignal,
): Promise<Runtime> {
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
      signal,
      // serve stops on SIGINT/SIGTERM itself and destroys the runtime; the registry's handler would re-raise the
      // signal and turn a clean stop into a kill.
      cleanupOnExit: false,
    })
    progress.stop()
    if (result.status !== 'ok' || !result.runtime) {
      await result.runtime?.destroy()
      if (result.status === 'aborted') throw new AbortedError('codebox serve')
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
      signal,
      cleanupOnExit: false,
    }) as Promise<Runtime>
  }
  return createRuntime({
    backend: playground({ ...backendOptions, plugins: ['wp-graphql'] }),
    policy,
    signal,
    cleanupOnExit: false,
  }) as Promise<Runtime>
}

/**
 * `codebox serve`: a headless WordPress (WPGraphQL by default, or a recipe's or snapshot's site) served on loopback
 * until SIGINT or SIGTERM, then stopped cleanly (exit 0). An interrupt while the site is being prepared exits 130.
 */
export async function serveCommand(options: ServeCommandOptions, io: CliIo): Promise<ExitCode> {
  const json = options.json === true
  if (options.recipe !== undefined && options.snapshot !== undefined) {
    return reportError(io, 'serve', new CliError('CLI_USAGE', 'Give --recipe or --snapshot, not both'), json)
  }
  const controller = new AbortController()
  // Listening from the start: an interrupt while preparing aborts the boot or the recipe instead of killing the
  // process with workers and temp dirs alive; a second one (e.g. while stopping) exits at once.
  const stopListening = onInterrupt((count) => {
    if (count > 1) process.exit(EXIT_CODES.INTERRUPTED)
    controller.abort(new AbortedError('codebox serve', 'interrupted'))
  })
  let runtime: Runtime | undefined
  try {
    runtime = await prepareRuntime(options, io, controller.signal)
    if (controller.signal.aborted) throw new AbortedError('codebox serve')
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
    if (!controller.signal.aborted) {
      await new Promise<void>((resolveStop) =>
        controller.signal.addEventListener('abort', () => resolveStop(), { once: true }),
      )
    }
    if (!json) io.stderr.write('codebox: stopping the server\n')
    await server.close()
    return EXIT_CODES.OK
  } catch (error) {
    return reportError(io, 'serve', error, json)
  } finally {
    await runtime?.destroy()
    stopListening()
  }
}
