import { isCodeboxError } from '../errors.js'
import type { CommandResult, Runtime } from '../runtime.js'
import type { PlannedStep } from './plan-recipe.js'
import type { RecipeCommand } from './recipe-capabilities.js'
import type { RecipePhase, RecipeStepOutcome } from './recipe-run-types.js'

/** The outcome of a planned step that did not run (an earlier failure, or the run was stopped). */
export function skipped(phase: RecipePhase, step: PlannedStep, executionIndex: number): RecipeStepOutcome {
  return {
    phase,
    name: step.name,
    command: step.command,
    executionIndex,
    status: 'skipped',
    exitCode: null,
    durationMs: 0,
    commandIndex: null,
  }
}

function plainArgs(args: RecipeCommand['args']): Record<string, unknown> | readonly string[] {
  return args ?? {}
}

function failureMessage(result: Exclude<CommandResult, { status: 'ok' }>): string {
  // stderr says why (WP-CLI errors); stdout of a failed PHP request is often an HTML error page, so it is left to
  // the command trace in the bundle.
  const detail = result.stderr.trim()
  if (!detail || result.message.includes(detail)) return result.message
  return `${result.message}: ${detail.length > 500 ? `${detail.slice(0, 500)}…` : detail}`
}

/** Runs one planned step on the runtime and reports it as data: a command that cannot run at all is `failed`. */
export async function runStep(
  runtime: Runtime,
  phase: RecipePhase,
  step: PlannedStep,
  executionIndex: number,
  signal: AbortSignal | undefined,
): Promise<RecipeStepOutcome> {
  const base = { phase, name: step.name, command: step.command, executionIndex }
  let result: CommandResult
  try {
    result = await runtime.execute({
      command: step.command,
      args: plainArgs(step.args) as never,
      ...(step.timeoutMs === undefined ? {} : { timeoutMs: step.timeoutMs }),
      ...(signal ? { signal } : {}),
    })
  } catch (error) {
    // Invalid arguments or an unknown command: the step cannot run at all.
    return {
      ...base,
      status: 'failed',
      exitCode: null,
      durationMs: 0,
      commandIndex: null,
      message: isCodeboxError(error) ? `${error.code}: ${error.message}` : String(error),
    }
  }
  const common = {
    ...base,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    commandIndex: result.index,
  }
  if (result.status !== 'ok') return { ...common, status: result.status, message: failureMessage(result) }
  let problem: string | undefined
  try {
    problem = step.check?.(result)
  } catch (error) {
    problem = `the check threw: ${error instanceof Error ? error.message : String(error)}`
  }
  return problem === undefined
    ? { ...common, status: 'ok' }
    : { ...common, status: 'check-failed', message: problem }
}
