import { AbortedError, parseRecipe, TimeoutError, toValidationIssues } from '@codebox/runtime-core'
import { Job, Queue, QueueEvents, QueueEventsProducer } from 'bullmq'
import { Redis } from 'ioredis'
import { z } from 'zod'
import { isFinalEvent, type RecipeJobEvent, readEvents, recipeEventHub } from './job-events.js'
import { type JobFailure, parseJobFailure } from './job-failure.js'
import {
  JobIdSchema,
  KeyPrefixSchema,
  QUEUE_JOB_SCHEMA_ID,
  type QueueJobData,
  type QueueJobProgress,
  QueueJobProgressSchema,
  type QueueJobResult,
  QueueJobResultSchema,
} from './job-schemas.js'
import { QueueError } from './queue-error.js'
import {
  CANCEL_EVENT,
  CANCEL_TTL_SECONDS,
  cancelKey,
  DEFAULT_QUEUE_NAME,
  DEFAULT_QUEUE_PREFIX,
  RECIPE_JOB_NAME,
} from './queue-names.js'
import {
  bullmqConnection,
  checkRedisReachable,
  type RedisConnection,
  resolveRedisConnection,
} from './redis-connection.js'

/** Options of {@link createRecipeQueue}. */
export interface CreateRecipeQueueOptions {
  /** Redis: `redis://[user:password@]host[:port][/db]`, `rediss://` for TLS, or ioredis options. */
  readonly connection: RedisConnection
  /** BullMQ queue name; workers must use the same. Default `codebox-recipes`. */
  readonly name?: string
  /** BullMQ key prefix. Default `bull`. */
  readonly prefix?: string
  /** Starts per job for infrastructure failures (boot failure, upload failure); recipe failures never retry. Default 3. */
  readonly attempts?: number
  /** First retry delay in ms, doubling each time (BullMQ's exponential backoff). Default 2000. */
  readonly backoffMs?: number
  /** How long finished jobs (and their results) are kept, in seconds. Default 7 days. */
  readonly keepFinishedSeconds?: number
  /** How long to wait for Redis to answer at creation. Default 5000. */
  readonly connectTimeoutMs?: number
}

/** Options of {@link RecipeQueue.enqueue}. */
export interface EnqueueOptions {
  /**
   * The job id (letters, digits, `.`, `_`, `-`; not all digits). Enqueueing an id that exists adds nothing and
   * returns it, so producers can retry safely. The bundle key derives from it. Default: a BullMQ-assigned number.
   */
  readonly jobId?: string
  /** BullMQ priority: 1 is the highest, larger numbers wait longer (up to 2 097 152). Default none (FIFO). */
  readonly priority?: number
  /** Deadline of the recipe run (boot included) in ms; the job then completes `timed-out`. Default none. */
  readonly timeoutMs?: number
  /** Bundle placement: `{ prefix }` puts it at `<prefix>/<jobId>.tar.gz` in the worker's store; `false`: no bundle. */
  readonly artifacts?: { readonly prefix?: string } | false
  /** Validate the recipe here first (`RECIPE_INVALID` with paths, nothing enqueued). Default true. */
  readonly validate?: boolean
}

/** Where a job is. A finished job carries its result (or, after used-up retries, why it failed). */
export type RecipeJobState =
  | {
      readonly state: 'waiting' | 'delayed' | 'prioritized' | 'active' | 'waiting-children'
      readonly jobId: string
      /** How often a worker started it (a stalled or retried job starts again). */
      readonly attemptsStarted: number
      readonly progress: QueueJobProgress | null
    }
  | { readonly state: 'completed'; readonly jobId: string; readonly result: QueueJobResult }
  | {
      readonly state: 'failed'
      readonly jobId: string
      readonly attemptsMade: number
      readonly error: JobFailure
    }

/** A finished job: completed with a result, or failed after its retries. */
export type FinishedRecipeJob = Extract<RecipeJobState, { state: 'completed' | 'failed' }>

/** The producer side of the recipe queue. Close it (or `await using`) to free its Redis connections. */
export interface RecipeQueue extends AsyncDisposable {
  /** The BullMQ queue name. */
  readonly name: string
  /** Adds a recipe job and returns its id. Throws `RECIPE_INVALID` / `QUEUE_OPTIONS_INVALID` with paths. */
  enqueue(recipe: unknown, options?: EnqueueOptions): Promise<{ readonly jobId: string }>
  /** Where the job is now. Throws `QUEUE_JOB_NOT_FOUND`. */
  getJob(jobId: string): Promise<RecipeJobState>
  /**
   * Resolves when the job has finished. Rejects with `OPERATION_TIMED_OUT` after `timeoutMs`, `OPERATION_ABORTED`
   * on `signal`, `QUEUE_CLOSED` when the queue is closed meanwhile.
   */
  waitForResult(
    jobId: string,
    options?: { readonly timeoutMs?: number; readonly signal?: AbortSignal },
  ): Promise<FinishedRecipeJob>
  /**
   * Cancels a job: a running one is aborted by its worker (runtime stopped, bundle still collected); a waiting one
   * completes `cancelled` when a worker takes it, without booting. A finished job is left as it is
   * (`cancelled: false`). Throws `QUEUE_JOB_NOT_FOUND`.
   */
  cancel(
    jobId: string,
    options?: { readonly reason?: string },
  ): Promise<{ readonly jobId: string; readonly state: string; readonly cancelled: boolean }>
  /**
   * Job events (waiting, active, progress, stalled, retrying, completed, failed) from the moment of the call, for
   * every job or for one (`jobId`: ends after its final event). Stops when `signal` aborts or the queue closes.
   */
  events(options?: { readonly jobId?: string; readonly signal?: AbortSignal }): AsyncIterable<RecipeJobEvent>
  /** Closes the Redis connections. Idempotent. */
  close(): Promise<void>
}

const EnqueueOptionsSchema = z.strictObject({
  jobId: JobIdSchema.optional(),
  priority: z.number().int().min(1).max(2_097_152).optional(),
  timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  artifacts: z.union([z.literal(false), z.strictObject({ prefix: KeyPrefixSchema.optional() })]).optional(),
  validate: z.boolean().optional(),
})

/** How far back a producer's first event subscription starts (covers a Redis server clock slightly behind this one). */
const EVENTS_REPLAY_MS = 5_000

function stateOf(job: Job, state: string): RecipeJobState {
  const jobId = job.id as string
  if (state === 'completed') {
    return { state, jobId, result: QueueJobResultSchema.parse(job.returnvalue) }
  }
  if (state === 'failed') {
    return { state, jobId, attemptsMade: job.attemptsMade, error: parseJobFailure(job.failedReason) }
  }
  const progress = QueueJobProgressSchema.safeParse(job.progress)
  return {
    state: state as Extract<RecipeJobState, { attemptsStarted: number }>['state'],
    jobId,
    attemptsStarted: job.attemptsStarted,
    progress: progress.success ? progress.data : null,
  }
}

/**
 * Connects a producer to the recipe queue on Redis: enqueue recipes, look up state and results, cancel, follow
 * events. Jobs carry the recipe and options only — never a secret: a recipe names its connectors, and the worker
 * that runs it resolves their values from its own environment or secret provider.
 *
 * @example
 * await using queue = await createRecipeQueue({ connection: 'redis://127.0.0.1:6379' })
 * const { jobId } = await queue.enqueue(recipe, { timeoutMs: 120_000 })
 * const finished = await queue.waitForResult(jobId)
 * if (finished.state === 'completed') console.log(finished.result.status, finished.result.bundle?.url)
 *
 * @throws QueueError `QUEUE_REDIS_UNREACHABLE` naming the URL (credentials redacted) and what to check.
 */
export async function createRecipeQueue(options: CreateRecipeQueueOptions): Promise<RecipeQueue> {
  const connection = resolveRedisConnection(options.connection)
  await checkRedisReachable(connection, options.connectTimeoutMs)
  const name = options.name ?? DEFAULT_QUEUE_NAME
  const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX
  const keepSeconds = options.keepFinishedSeconds ?? 7 * 24 * 3600
  // One connection for the queue, the event producer and cancellation flags; QueueEvents needs its own (it blocks).
  const redis = new Redis(bullmqConnection(connection))
  redis.on('error', () => {})
  const queue = new Queue(name, {
    connection: redis,
    prefix,
    defaultJobOptions: {
      attempts: options.attempts ?? 3,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 2_000 },
      removeOnComplete: { age: keepSeconds },
      removeOnFail: { age: keepSeconds },
    },
  })
  queue.on('error', () => {})
  const producer = new QueueEventsProducer(name, { connection: redis, prefix })
  let queueEvents:
    | { events: QueueEvents; hub: ReturnType<typeof recipeEventHub>; ready: Promise<unknown> }
    | undefined
  let closed = false
  // Ends every open event reader when the queue closes.
  const closing = new AbortController()
  const withClose = (signal: AbortSignal | undefined) =>
    signal ? AbortSignal.any([signal, closing.signal]) : closing.signal

  const subscribe = () => {
    if (!queueEvents) {
      // From a moment ago, not from BullMQ's default '$' (whatever comes after its first read): a job finishing
      // between this subscription and that first read was neither caught up nor delivered, and waitForResult hung
      // (CI saw it once). Events of the few seconds before are delivered too; readers filter by job.
      const events = new QueueEvents(name, {
        connection: bullmqConnection(connection),
        prefix,
        lastEventId: `${Date.now() - EVENTS_REPLAY_MS}-0`,
      })
      events.on('error', () => {})
      queueEvents = { events, hub: recipeEventHub(events), ready: events.waitUntilReady() }
    }
    return queueEvents
  }
  const assertOpen = () => {
    if (closed) throw new QueueError('QUEUE_CLOSED', `The recipe queue "${name}" was closed.`)
  }
  const load = async (jobId: string): Promise<{ job: Job; state: string }> => {
    assertOpen()
    // State first, then the job: a job that finishes between the two reads is then read with its result. (The other
    // order read a job's data while it ran and its state once it had completed: a completed job with no result.)
    const state = await queue.getJobState(jobId)
    const job = state === 'unknown' ? undefined : await Job.fromId(queue, jobId)
    if (!job || state === 'unknown') {
      throw new QueueError(
        'QUEUE_JOB_NOT_FOUND',
        `No job "${jobId}" in queue "${name}" at ${connection.display}; it was never added, or it finished more than ${keepSeconds} s ago and was removed.`,
        { details: { jobId } },
      )
    }
    return { job, state }
  }
  const getJob = async (jobId: string) => {
    const { job, state } = await load(jobId)
    return stateOf(job, state)
  }

  const recipeQueue: RecipeQueue = {
    name,
    async enqueue(recipe, enqueueOptions = {}) {
      assertOpen()
      const parsed = EnqueueOptionsSchema.safeParse(enqueueOptions)
      if (!parsed.success) {
        const issues = toValidationIssues(parsed.error, '$options')
        throw new QueueError(
          'QUEUE_OPTIONS_INVALID',
          `Invalid enqueue options: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
          { issues },
        )
      }
      const { jobId, priority, timeoutMs, artifacts, validate } = parsed.data
      if (validate !== false) parseRecipe(recipe)
      const data: QueueJobData = {
        schema: QUEUE_JOB_SCHEMA_ID,
        recipe,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(artifacts === undefined ? {} : { artifacts }),
        enqueuedAt: new Date().toISOString(),
      }
      const job = await queue.add(RECIPE_JOB_NAME, data, {
        ...(jobId === undefined ? {} : { jobId }),
        ...(priority === undefined ? {} : { priority }),
      })
      return { jobId: job.id as string }
    },
    getJob,
    async waitForResult(jobId, wait = {}) {
      const deadline = wait.timeoutMs === undefined ? undefined : AbortSignal.timeout(wait.timeoutMs)
      const signals = [wait.signal, deadline].filter((signal): signal is AbortSignal => signal !== undefined)
      const { hub, ready } = subscribe()
      const events = readEvents(hub, {
        jobId,
        signal: withClose(signals.length > 0 ? AbortSignal.any(signals) : undefined),
        ready,
        catchUp: async () => {
          const state = await getJob(jobId)
          if (state.state === 'completed') return { type: 'job.completed', jobId, result: state.result }
          if (state.state === 'failed') return { type: 'job.failed', jobId, error: state.error }
          return undefined
        },
      })
      for await (const event of events) {
        if (isFinalEvent(event)) return (await getJob(jobId)) as FinishedRecipeJob
      }
      if (deadline?.aborted) throw new TimeoutError(`waitForResult("${jobId}")`, wait.timeoutMs as number)
      if (wait.signal?.aborted) throw new AbortedError(`waitForResult("${jobId}")`, wait.signal.reason)
      throw new QueueError(
        'QUEUE_CLOSED',
        `The recipe queue "${name}" was closed while waiting for "${jobId}".`,
      )
    },
    async cancel(jobId, cancelOptions = {}) {
      const { state } = await load(jobId)
      if (state === 'completed' || state === 'failed') return { jobId, state, cancelled: false }
      const reason = (cancelOptions.reason ?? 'cancelled by the producer').slice(0, 200)
      // The flag first: a worker that takes the job after this sees it; one already running gets the event.
      await redis.set(cancelKey(prefix, name, jobId), reason, 'EX', CANCEL_TTL_SECONDS)
      await producer.publishEvent({ eventName: CANCEL_EVENT, jobId, reason })
      return { jobId, state, cancelled: true }
    },
    events(eventOptions = {}) {
      assertOpen()
      const { hub, ready } = subscribe()
      return readEvents(hub, {
        ...(eventOptions.jobId === undefined ? {} : { jobId: eventOptions.jobId }),
        signal: withClose(eventOptions.signal),
        ready,
      })
    },
    async close() {
      if (closed) return
      closed = true
      closing.abort()
      await Promise.allSettled([queue.close(), producer.close(), queueEvents?.events.close()])
      redis.disconnect()
    },
    async [Symbol.asyncDispose]() {
      await recipeQueue.close()
    },
  }
  return recipeQueue
}
