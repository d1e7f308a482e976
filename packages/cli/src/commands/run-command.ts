import { dirname, resolve } from 'node:path'
import { playgroundRecipeBackend } from '@codebox/backend-playground'
import { type RecipeRunResult, runRecipe } from '@codebox/runtime-core'
import { CliError } from '../cli-error.js'
import {
  type CliErrorDocument,
  type CliIo,
  describeError,
  reportError,
  writeHumanError,
  writeJson,
} from '../cli-output.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'
import { onInterrupt } from '../interrupt-signals.js'
import { readJsonFile } from '../read-json-file.js'
import { createRecipeProgress } from '../recipe-progress.js'

/** Options of `codebox run`. */
export interface RunCommandOptions {
  /** Bundle folder; overrides the recipe's `artifacts.directory`. */
  readonly artifacts?: string
  /** Print one JSON document instead of progress and a summary. */
  readonly json?: boolean
  /** Never download resources (same as `CODEBOX_OFFLINE=1`). */
  readonly offline?: boolean
  /** Deadline of the whole run in ms. */
  readonly timeoutMs?: number
  /** Cache directory. Default `$CODEBOX_CACHE_DIR` or `~/.cache/codebox`. */
  readonly cacheDir?: string
}

/** The `result` of `codebox run --json`: the recipe run without the live runtime. */
export type RunCommandResult = Omit<RecipeRunResult, 'runtime'>

function summary(io: CliIo, result: RecipeRunResult): void {
  const out = (text: string) => io.stdout.write(`${text}\n`)
  const counts = { ok: 0, failed: 0, skipped: 0 }
  for (const step of result.steps) {
    if (step.status === 'ok') counts.ok += 1
    else if (step.status === 'skipped') counts.skipped += 1
    else counts.failed += 1
  }
  out(
    `recipe ${result.label ?? '(unnamed)'}: ${result.status}${result.failedPhase ? ` in ${result.failedPhase}` : ''} — ${counts.ok} ok, ${counts.failed} failed, ${counts.skipped} skipped in ${((result.timings['recipe.totalMs'] ?? 0) / 1000).toFixed(1)} s`,
  )
  for (const diagnostic of result.diagnostics) {
    out(
      `  ${diagnostic.severity} [${diagnostic.phase}] ${diagnostic.name}#${diagnostic.executionIndex} (${diagnostic.command}, exit ${diagnostic.exitCode ?? '-'}): ${diagnostic.message}`,
    )
  }
  if (result.bundle) out(`bundle: ${result.bundle.path}`)
  if (result.bundleError)
    out(`bundle not written: [${result.bundleError.code}] ${result.bundleError.message}`)
}

/**
 * The exit code of a finished run and, unless it is 0, the error that says why and how to fix it (`error` of the
 * `--json` document; printed after the summary otherwise).
 */
function outcomeOf(
  result: RecipeRunResult,
  timeoutMs: number | undefined,
): { exitCode: ExitCode; error: CliErrorDocument | null } {
  const stoppedIn = result.steps.find((step) => step.status === 'timed-out' || step.status === 'aborted')
  const where = stoppedIn ? ` (stopped in ${stoppedIn.phase}: ${stoppedIn.name})` : ''
  let failure: CliError | undefined
  let exitCode: ExitCode = EXIT_CODES.FAILED
  if (result.status === 'aborted') {
    exitCode = EXIT_CODES.INTERRUPTED
    failure = new CliError(
      'OPERATION_ABORTED',
      `The run was interrupted${where}; the bundle was still collected.`,
    )
  } else if (result.status === 'timed-out') {
    exitCode = EXIT_CODES.TIMEOUT
    failure = new CliError('OPERATION_TIMED_OUT', `The run did not finish within ${timeoutMs} ms${where}.`)
  } else if (result.status === 'failed') {
    const first = result.diagnostics.find((diagnostic) => diagnostic.severity === 'error')
    failure = new CliError(
      'RECIPE_FAILED',
      `The recipe failed in ${result.failedPhase}${first ? `: ${first.name}: ${first.message.split('\n')[0]}` : ''}`,
    )
  } else if (result.bundleError) {
    failure = new CliError(
      result.bundleError.code,
      `The recipe passed but its bundle was not written: ${result.bundleError.message}`,
    )
  }
  if (!failure) return { exitCode: EXIT_CODES.OK, error: null }
  return { exitCode, error: describeError(failure).document }
}

/** `codebox run <recipe.json>`: runs a recipe on the Playground backend and reports it. */
export async function runCommand(file: string, options: RunCommandOptions, io: CliIo): Promise<ExitCode> {
  const json = options.json === true
  const progress = createRecipeProgress(io, { quiet: json })
  const controller = new AbortController()
  const stopListening = onInterrupt((count) => {
    // The first signal stops the run but still writes the bundle; a second one exits at once.
    if (count > 1) process.exit(EXIT_CODES.INTERRUPTED)
    io.stderr.write('codebox: interrupted; stopping the run and collecting the bundle (again to quit now)\n')
    controller.abort(new Error('interrupted'))
  })
  try {
    const path = resolve(file)
    const recipe = await readJsonFile(path)
    const result = await runRecipe(recipe, {
      backendFactory: (spec) =>
        playgroundRecipeBackend(spec, {
          ...(options.offline ? { download: false } : {}),
          ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
        }),
      baseDir: dirname(path),
      ...(options.artifacts === undefined ? {} : { artifactsDirectory: resolve(options.artifacts) }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      signal: controller.signal,
      cleanupOnExit: false,
      onEvent: progress.onEvent,
    })
    progress.stop()
    const { exitCode, error } = outcomeOf(result, options.timeoutMs)
    const { runtime: _runtime, ...document } = result
    if (json) {
      writeJson(io, {
        command: 'run',
        ok: exitCode === EXIT_CODES.OK,
        exitCode,
        result: document satisfies RunCommandResult,
        error,
      })
    } else {
      summary(io, result)
      if (error) writeHumanError(io, error)
    }
    return exitCode
  } catch (error) {
    progress.stop()
    return reportError(io, 'run', error, json)
  } finally {
    stopListening()
  }
}
