import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type PlaygroundRecipeBackendOptions, playgroundRecipeBackend } from '@codebox/backend-playground'
import type { CredentialProvider } from '@codebox/policy'
import {
  CodeboxError,
  type Logger,
  parseRecipe,
  RECIPE_PHASES,
  type Recipe,
  type RecipeEvent,
  runRecipe,
  toValidationIssues,
} from '@codebox/runtime-core'
import type { Job } from 'bullmq'
import type { ArtifactStore } from './artifact-store.js'
import { hostPathIssues } from './host-paths.js'
import { type ResultContext, resultOfError, resultOfRun, resultWithoutRun } from './job-outcome.js'
import {
  QUEUE_JOB_PROGRESS_SCHEMA_ID,
  type QueueJobData,
  QueueJobDataSchema,
  type QueueJobProgress,
  type QueueJobResult,
  type StoredBundle,
} from './job-schemas.js'
import { bundleKey } from './queue-names.js'

/** The abort reason a worker gives its jobs when it shuts down past its grace period: back to the queue. */
export const SHUTDOWN_REASON = 'codebox.worker.shutdown'
/**
 * The abort reason when BullMQ could not renew a job's lock: another worker may already run it (the stalled check
 * handed it on), so this one must stop and write nothing.
 */
export const LOCK_LOST_REASON = 'codebox.worker.lock-lost'

/** What one job needs from the worker that runs it. */
export interface JobContext {
  readonly store: ArtifactStore
  readonly backend: PlaygroundRecipeBackendOptions
  readonly baseDir: string | undefined
  readonly env: Readonly<Record<string, string | undefined>> | undefined
  readonly secretProvider: CredentialProvider | undefined
  readonly logger: Logger | undefined
  readonly worker: QueueJobResult['worker']
  /** The reason of a pending cancellation of this job, if a producer asked for one. */
  readonly cancelRequested: (jobId: string) => Promise<string | undefined>
  /** Whether this worker still holds the job's lock (extends it); checked right before the upload. */
  readonly stillOwned: (job: Job, token: string | undefined) => Promise<boolean>
}

/** This worker no longer owns the job: it stops without writing anything, another worker has (or will get) it. */
function lockLost(jobId: string): CodeboxError {
  return new CodeboxError(
    'QUEUE_LOCK_LOST',
    `Job ${jobId} lost its lock (this worker stalled past lockDuration); it stopped without uploading, and BullMQ hands the job to another worker.`,
  )
}

const PIPELINE = [...RECIPE_PHASES, 'collect', 'upload'] as const

/** Reports progress in order without holding up the run; a failed report is only logged. */
function progressReporter(job: Job, logger: Logger | undefined) {
  let chain: Promise<void> = Promise.resolve()
  const report = (phase: QueueJobProgress['phase'], state: QueueJobProgress['state']) => {
    const index = PIPELINE.indexOf(phase)
    const progress: QueueJobProgress = {
      schema: QUEUE_JOB_PROGRESS_SCHEMA_ID,
      phase,
      state,
      done: state === 'started' ? index : index + 1,
      total: PIPELINE.length,
    }
    chain = chain
      .then(() => job.updateProgress(progress))
      .catch((error: unknown) => logger?.warn?.(`progress of job ${job.id} not reported: ${String(error)}`))
  }
  const onEvent = (event: RecipeEvent) => {
    if (event.type === 'recipe.phase.started') report(event.phase, 'started')
    else if (event.type === 'recipe.phase.finished') report(event.phase, event.status)
    else if (event.type === 'recipe.collect.started') report('collect', 'started')
  }
  return { report, onEvent, flushed: () => chain }
}

/** Parses the job and its recipe; a malformed one becomes an `invalid` result with recipe paths. */
function readJob(
  job: Job,
  context: ResultContext,
  baseDir: string | undefined,
): { data: QueueJobData; recipe: Recipe } | QueueJobResult {
  const parsed = QueueJobDataSchema.safeParse(job.data)
  if (!parsed.success) {
    const issues = toValidationIssues(parsed.error, '$job')
    return resultWithoutRun(context, 'invalid', {
      code: 'QUEUE_JOB_INVALID',
      message: `The job's data is not a codebox/queue-job/v1 document: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      issues,
    })
  }
  let recipe: Recipe
  try {
    recipe = parseRecipe(parsed.data.recipe)
  } catch (error) {
    const result = resultOfError(context, error, { cancelReason: undefined, timeoutMs: undefined })
    if (result) return result
    throw error
  }
  const label = recipe.label ?? null
  const issues = hostPathIssues(recipe, baseDir)
  if (issues.length > 0) {
    return resultWithoutRun(
      context,
      'invalid',
      {
        code: 'RECIPE_INVALID',
        message: `Invalid recipe: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
        issues,
      },
      { label },
    )
  }
  return { data: parsed.data, recipe }
}

/**
 * Runs one recipe job: reads it, runs the recipe in a fresh runtime (from the warm pool when it can), reports the
 * phases as BullMQ progress, uploads the bundle under a key derived from the job id, and returns the result
 * document. Returns `'requeue'` when the worker's shutdown stopped it. Throws (so BullMQ retries with backoff) only
 * for infrastructure failures, with the error's code in the message.
 */
export async function runRecipeJob(
  job: Job,
  token: string | undefined,
  signal: AbortSignal | undefined,
  context: JobContext,
): Promise<QueueJobResult | 'requeue'> {
  const started = Date.now()
  const jobId = job.id as string
  const base = {
    jobId,
    attempt: Math.max(1, job.attemptsStarted),
    worker: context.worker,
  }
  const timings = (extra: Record<string, number> = {}) => ({
    'queue.waitMs': Math.max(0, started - job.timestamp),
    'queue.totalMs': Date.now() - started,
    ...extra,
  })
  const cancelReason = () =>
    signal?.aborted && signal.reason !== SHUTDOWN_REASON && signal.reason !== LOCK_LOST_REASON
      ? String(signal.reason ?? 'cancelled')
      : undefined

  const pending = await context.cancelRequested(jobId)
  if (pending !== undefined) {
    return resultWithoutRun({ ...base, timings: timings() }, 'cancelled', {
      code: 'OPERATION_ABORTED',
      message: `The job was cancelled before it started: ${pending}`,
    })
  }
  const read = readJob(job, { ...base, timings: timings() }, context.baseDir)
  if ('schema' in read) return read
  const { data, recipe } = read
  const progress = progressReporter(job, context.logger)
  const directory = await mkdtemp(join(tmpdir(), 'codebox-queue-'))
  try {
    const wantsBundle = data.artifacts !== false
    const runStarted = Date.now()
    const run = await runRecipe(
      {
        ...recipe,
        ...(wantsBundle ? { artifacts: { ...recipe.artifacts, directory, format: 'tar.gz' } } : {}),
      },
      {
        backendFactory: (spec) => playgroundRecipeBackend(spec, context.backend),
        ...(context.baseDir === undefined ? {} : { baseDir: context.baseDir }),
        ...(data.timeoutMs === undefined ? {} : { timeoutMs: data.timeoutMs }),
        ...(signal ? { signal } : {}),
        ...(context.env ? { env: context.env } : {}),
        ...(context.secretProvider ? { secretProvider: context.secretProvider } : {}),
        ...(context.logger ? { logger: context.logger } : {}),
        // The worker stops its runtimes itself (on cancel, timeout and shutdown), with the bundle still collected.
        cleanupOnExit: false,
        onEvent: progress.onEvent,
      },
    ).catch((error: unknown) => error as Error)
    const runMs = Date.now() - runStarted
    if (signal?.reason === LOCK_LOST_REASON) throw lockLost(jobId)
    if (!('schema' in run)) {
      if (signal?.reason === SHUTDOWN_REASON) return 'requeue'
      const result = resultOfError({ ...base, timings: timings() }, run, {
        cancelReason: cancelReason(),
        timeoutMs: data.timeoutMs,
      })
      if (result) return result
      throw run
    }
    if (run.status === 'aborted' && signal?.reason === SHUTDOWN_REASON) return 'requeue'
    if (wantsBundle && run.bundleError) {
      throw new CodeboxError(run.bundleError.code, `The bundle was not collected: ${run.bundleError.message}`)
    }
    let bundle: StoredBundle | null = null
    let uploadMs = 0
    if (wantsBundle && run.bundle) {
      // A worker that stalled (CPU starved past lockDuration) may find its job handed on: then it must not write.
      if (!(await context.stillOwned(job, token))) throw lockLost(jobId)
      progress.report('upload', 'started')
      const uploadStarted = Date.now()
      const key = bundleKey(jobId, data.artifacts ? data.artifacts.prefix : undefined)
      const stored = await context.store.put(key, run.bundle.path)
      uploadMs = Date.now() - uploadStarted
      bundle = { ...stored, bundleId: run.bundle.bundleId }
      progress.report('upload', 'ok')
    }
    await progress.flushed()
    return resultOfRun(
      { ...base, timings: timings({ 'queue.runMs': runMs, 'queue.uploadMs': uploadMs }) },
      run,
      bundle,
      cancelReason(),
      data.timeoutMs,
    )
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}
