import { isCodeboxError, type RecipeRunResult, type ValidationIssue } from '@codebox/runtime-core'
import {
  QUEUE_JOB_RESULT_SCHEMA_ID,
  type QueueJobResult,
  type QueueJobStatus,
  type StoredBundle,
} from './job-schemas.js'

/** What every result of one job shares: who made it and when. */
export interface ResultContext {
  readonly jobId: string
  readonly attempt: number
  readonly worker: QueueJobResult['worker']
  readonly timings: Readonly<Record<string, number>>
}

const EXIT_CODES: Record<QueueJobStatus, QueueJobResult['exitCode']> = {
  ok: 0,
  failed: 1,
  invalid: 2,
  'timed-out': 6,
  cancelled: 130,
}

/** A result for a job that never ran its recipe (or stopped before boot): invalid, refused, cancelled, timed out. */
export function resultWithoutRun(
  context: ResultContext,
  status: QueueJobStatus,
  error: { code: string; message: string; issues?: readonly ValidationIssue[] },
  options: { label?: string | null; exitCode?: QueueJobResult['exitCode'] } = {},
): QueueJobResult {
  return {
    schema: QUEUE_JOB_RESULT_SCHEMA_ID,
    jobId: context.jobId,
    status,
    exitCode: options.exitCode ?? EXIT_CODES[status],
    label: options.label ?? null,
    failedPhase: null,
    error: { code: error.code, message: error.message, issues: [...(error.issues ?? [])] },
    diagnostics: [],
    steps: [],
    bundle: null,
    bundleError: null,
    timings: { ...context.timings },
    attempt: context.attempt,
    worker: context.worker,
    finishedAt: new Date().toISOString(),
  }
}

/** The result of a recipe that ran (whatever its outcome), with its uploaded bundle. */
export function resultOfRun(
  context: ResultContext,
  run: Omit<RecipeRunResult, 'runtime'>,
  bundle: StoredBundle | null,
  cancelReason: string | undefined,
  timeoutMs: number | undefined,
): QueueJobResult {
  const status: QueueJobStatus = run.status === 'aborted' ? 'cancelled' : run.status
  const firstError = run.diagnostics.find((diagnostic) => diagnostic.severity === 'error')
  const error =
    status === 'failed'
      ? {
          code: 'RECIPE_FAILED',
          message: `The recipe failed in ${run.failedPhase}${firstError ? `: ${firstError.name}: ${firstError.message.split('\n')[0]}` : ''}`,
        }
      : status === 'timed-out'
        ? { code: 'OPERATION_TIMED_OUT', message: `The recipe did not finish within ${timeoutMs} ms.` }
        : status === 'cancelled'
          ? {
              code: 'OPERATION_ABORTED',
              message: `The job was cancelled: ${cancelReason ?? 'no reason given'}`,
            }
          : null
  return {
    schema: QUEUE_JOB_RESULT_SCHEMA_ID,
    jobId: context.jobId,
    status,
    exitCode: EXIT_CODES[status],
    label: run.label,
    failedPhase: run.failedPhase,
    error: error && { ...error, issues: [] },
    diagnostics: run.diagnostics.map((diagnostic) => ({ ...diagnostic })),
    steps: run.steps.map(({ phase, name, command, status: stepStatus, exitCode, durationMs }) => ({
      phase,
      name,
      command,
      status: stepStatus,
      exitCode,
      durationMs,
    })),
    bundle,
    bundleError: run.bundleError,
    timings: { ...run.timings, ...context.timings },
    attempt: context.attempt,
    worker: context.worker,
    finishedAt: new Date().toISOString(),
  }
}

/**
 * How a thrown error ends a job: a result (the recipe is malformed, refused or was stopped; never retried), or
 * `undefined` for an infrastructure failure BullMQ should retry (a boot that failed, a resource that could not be
 * fetched, an upload that failed).
 */
export function resultOfError(
  context: ResultContext,
  error: unknown,
  stop: { cancelReason: string | undefined; timeoutMs: number | undefined },
): QueueJobResult | undefined {
  if (!isCodeboxError(error)) return undefined
  const { code, message } = error
  const issues = (error.details as { issues?: ValidationIssue[] }).issues ?? []
  if (code === 'RECIPE_INVALID' || (code.endsWith('_INVALID') && issues.length > 0)) {
    return resultWithoutRun(context, 'invalid', { code, message, issues })
  }
  if (code.startsWith('CONNECTOR_CREDENTIAL')) {
    return resultWithoutRun(context, 'failed', { code, message }, { exitCode: 4 })
  }
  if (code.startsWith('POLICY_') || code === 'APPROVAL_DENIED' || code === 'PLUGIN_NOT_APPROVED') {
    return resultWithoutRun(context, 'failed', { code, message }, { exitCode: 5 })
  }
  if (code === 'OPERATION_ABORTED' && stop.cancelReason !== undefined) {
    return resultWithoutRun(context, 'cancelled', {
      code,
      message: `The job was cancelled while booting: ${stop.cancelReason}`,
    })
  }
  // runRecipe's own deadline during boot (a createRuntime boot timeout of its own is an infrastructure failure).
  if (
    code === 'OPERATION_TIMED_OUT' &&
    stop.timeoutMs !== undefined &&
    (error.details as { timeoutMs?: number }).timeoutMs === stop.timeoutMs
  ) {
    return resultWithoutRun(context, 'timed-out', {
      code,
      message: `The recipe did not finish within ${stop.timeoutMs} ms (still booting).`,
    })
  }
  return undefined
}
