import { randomBytes } from 'node:crypto'
import { availableParallelism, hostname } from 'node:os'
import { playgroundPool } from '@codebox/backend-playground'
import type { CredentialProvider } from '@codebox/policy'
import type { Logger } from '@codebox/runtime-core'
import { Queue, QueueEvents, WaitingError, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import type { ArtifactStore } from './artifact-store.js'
import { AUTO_POOL_RECHECK_MS, countWorkersOnHost, type PoolPlan, poolFits } from './auto-pool.js'
import { failureMessage } from './job-failure.js'
import type { QueueJobResult } from './job-schemas.js'
import { openArtifactStore } from './open-artifact-store.js'
import { QueueError } from './queue-error.js'
import { CANCEL_EVENT, cancelKey, DEFAULT_QUEUE_NAME, DEFAULT_QUEUE_PREFIX } from './queue-names.js'
import {
  bullmqConnection,
  checkRedisReachable,
  type RedisConnection,
  resolveRedisConnection,
} from './redis-connection.js'
import { type JobContext, LOCK_LOST_REASON, runRecipeJob, SHUTDOWN_REASON } from './run-recipe-job.js'
import type { S3ArtifactStoreOptions } from './s3-artifact-store.js'

/** What a worker reports about its own jobs (for logs and the CLI). */
export type RecipeWorkerEvent =
  | { readonly type: 'job.started'; readonly jobId: string; readonly attempt: number }
  | { readonly type: 'job.finished'; readonly jobId: string; readonly result: QueueJobResult }
  /** The worker shut down past its grace period; the job went back to the queue for another worker. */
  | { readonly type: 'job.requeued'; readonly jobId: string }
  /** An infrastructure failure; BullMQ retries the job if it has attempts left. */
  | { readonly type: 'job.error'; readonly jobId: string; readonly message: string }

/** Options of {@link createRecipeWorker}. */
export interface CreateRecipeWorkerOptions {
  /** Redis: `redis://[user:password@]host[:port][/db]`, `rediss://` for TLS, or ioredis options. */
  readonly connection: RedisConnection
  /** Where bundles go: `file:///absolute/dir`, `s3://bucket/prefix`, or a store. */
  readonly artifacts: string | ArtifactStore
  /** For an `s3://` store: endpoint, region, credentials (default the AWS SDK's chain). */
  readonly s3?: S3ArtifactStoreOptions
  /** Recipes run at once in this process, each in its own runtime. Default 1. */
  readonly concurrency?: number
  /** BullMQ queue name. Default `codebox-recipes`. */
  readonly name?: string
  /** BullMQ key prefix. Default `bull`. */
  readonly prefix?: string
  /**
   * PHP workers kept booted ahead per site configuration (the warm pool), `false` for none, or `'auto'` (the
   * default): one while this host has a core for it beside every running job — `2 × workers of this queue on this
   * host × concurrency ≤ cores` — and none otherwise, counted again every 10 s (see {@link RecipeWorker.poolPlan}).
   * On 2 cores one worker keeps a pool and two workers do not, which drains a queue fastest there.
   */
  readonly pool?: { readonly size: number } | false | 'auto'
  /** Cores this host gives its workers, for `pool: 'auto'`. Default `os.availableParallelism()`. */
  readonly cores?: number
  /**
   * The directory holding the host files jobs may use: relative recipe paths resolve against it and every host
   * path must stay inside it. Default none: jobs naming a host path complete `invalid`.
   */
  readonly baseDir?: string
  /** Never download resources (only the cache and bundled builds). Default false (`CODEBOX_OFFLINE=1` also). */
  readonly offline?: boolean
  /** Resource cache. Default `$CODEBOX_CACHE_DIR` or `~/.cache/codebox`. */
  readonly cacheDir?: string
  /** Where connector secrets come from. Default this process's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** A secret provider (e.g. a vault client) instead of the environment. */
  readonly secretProvider?: CredentialProvider
  /** Console-shaped logger. Default silent. */
  readonly logger?: Logger
  /** Called for each job event of this worker. */
  readonly onEvent?: (event: RecipeWorkerEvent) => void
  /** BullMQ lock duration: a job whose worker stops renewing it for this long counts as stalled. Default 30000. */
  readonly lockDurationMs?: number
  /** How often this worker looks for stalled jobs (of any worker). Default 30000. */
  readonly stalledIntervalMs?: number
  /** How often a job may stall (its worker died) and still be handed on; then it fails. Default 1. */
  readonly maxStalledCount?: number
  /** Default grace period of `close()`: in-flight jobs may finish for this long. Default 60000. */
  readonly graceMs?: number
  /** This worker's name in results and in BullMQ. Default `<hostname>-<pid>-<random>`. */
  readonly workerId?: string
  /** How long to wait for Redis and the store to answer at start. Default 5000 / 10000. */
  readonly connectTimeoutMs?: number
}

/** A running recipe worker. Close it to drain (or `await using`). */
export interface RecipeWorker extends AsyncDisposable {
  readonly id: string
  /** The artifact store bundles go to. */
  readonly store: ArtifactStore
  /** Ids of the jobs running now. */
  running(): readonly string[]
  /**
   * The warm pool the next job gets: with `pool: 'auto'` counted now from the workers on this host; otherwise the
   * configured size (`workersOnHost` is then 1, not counted).
   */
  poolPlan(): Promise<PoolPlan>
  /**
   * Drains: takes no new job, lets running ones finish for `graceMs` (default the worker's `graceMs`), then stops
   * the rest and puts them back in the queue for another worker. Idempotent.
   */
  close(options?: {
    readonly graceMs?: number
  }): Promise<{ readonly finished: number; readonly requeued: number }>
}

/**
 * Starts a worker that takes recipe jobs from Redis and runs each in a fresh runtime on the Playground backend,
 * keeping one warm pool of PHP workers for the whole process. It reports the recipe's phases as job progress,
 * uploads each bundle to the store under a key derived from the job id, and completes the job with a
 * `codebox/queue-job-result/v1` document. A recipe that fails, is malformed, times out or is cancelled completes
 * with that result and is never retried; infrastructure failures are retried by BullMQ with backoff, and a job whose
 * worker dies is handed to another by BullMQ's stalled-job check.
 *
 * @example
 * await using worker = await createRecipeWorker({
 *   connection: 'redis://127.0.0.1:6379',
 *   artifacts: 'file:///srv/bundles',
 *   concurrency: 2,
 * })
 *
 * @throws QueueError `QUEUE_REDIS_UNREACHABLE` or `ARTIFACT_STORE_UNREACHABLE` naming the URL (credentials
 *   redacted) and what to check; `ARTIFACT_STORE_URL_INVALID`, `QUEUE_OPTIONS_INVALID`.
 */
export async function createRecipeWorker(options: CreateRecipeWorkerOptions): Promise<RecipeWorker> {
  const concurrency = options.concurrency ?? 1
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new QueueError(
      'QUEUE_OPTIONS_INVALID',
      `concurrency must be a whole number from 1 to 64, not ${concurrency}.`,
      {
        issues: [{ path: '$.concurrency', message: 'expected a whole number from 1 to 64' }],
      },
    )
  }
  checkPoolOptions(options)
  const connection = resolveRedisConnection(options.connection)
  await checkRedisReachable(connection, options.connectTimeoutMs)
  const ownStore = typeof options.artifacts === 'string'
  const store =
    typeof options.artifacts === 'string'
      ? await openArtifactStore(options.artifacts, options.s3 ? { s3: options.s3 } : {})
      : options.artifacts
  await store.check()

  const name = options.name ?? DEFAULT_QUEUE_NAME
  const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX
  const id = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`
  const logger = options.logger
  const emit = (event: RecipeWorkerEvent) => {
    try {
      options.onEvent?.(event)
    } catch {
      // A listener must not break the worker.
    }
  }
  const redis = new Redis(bullmqConnection(connection))
  redis.on('error', (error) => logger?.warn?.(`redis: ${error.message}`))
  const pool = options.pool ?? 'auto'
  const cores = options.cores ?? availableParallelism()
  const backendWith = (size: number): JobContext['backend'] => ({
    ...(size > 0 ? { pool: { size } } : {}),
    ...(options.offline ? { download: false } : {}),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
  })
  const lockDurationMs = options.lockDurationMs ?? 30_000
  const context: JobContext = {
    store,
    backend: backendWith(0),
    baseDir: options.baseDir,
    env: options.env,
    secretProvider: options.secretProvider,
    logger,
    worker: { id, hostname: hostname(), pid: process.pid },
    cancelRequested: async (jobId) => (await redis.get(cancelKey(prefix, name, jobId))) ?? undefined,
    stillOwned: async (job, token) => {
      try {
        return token !== undefined && (await job.extendLock(token, lockDurationMs)) === 1
      } catch {
        return false
      }
    },
  }

  // `'auto'` counts this queue's workers on this host through BullMQ's worker list.
  const countingQueue =
    pool === 'auto' ? new Queue(name, { connection: bullmqConnection(connection), prefix }) : undefined
  countingQueue?.on('error', (error) => logger?.warn?.(`queue: ${error.message}`))
  const poolPlan = async (): Promise<PoolPlan> => {
    if (!countingQueue)
      return { size: pool === false || pool === 'auto' ? 0 : pool.size, workersOnHost: 1, cores, concurrency }
    const workersOnHost = (await countWorkersOnHost(countingQueue, redis)) ?? 1
    const plan = { workersOnHost, cores, concurrency }
    return { ...plan, size: poolFits(plan) ? 1 : 0 }
  }
  let decided: { readonly plan: PoolPlan; readonly at: number } | undefined
  const planForJob = async (): Promise<PoolPlan> => {
    if (decided && performance.now() - decided.at < AUTO_POOL_RECHECK_MS) return decided.plan
    const plan = await poolPlan()
    if (countingQueue && decided?.plan.size !== plan.size) {
      logger?.info?.(
        `warm pool ${plan.size > 0 ? 'on' : 'off'}: ${plan.workersOnHost} worker(s) of this queue on this host × concurrency ${concurrency} on ${cores} cores`,
      )
      // Idle pooled workers hold memory and nothing else will take them now.
      if (plan.size === 0 && decided) await playgroundPool.drain()
    }
    decided = { plan, at: performance.now() }
    return plan
  }

  // Producers cancel through a custom queue event; the worker running the job aborts it (BullMQ's cancelJob).
  const events = new QueueEvents(name, { connection: bullmqConnection(connection), prefix })
  events.on('error', (error) => logger?.warn?.(`queue events: ${error.message}`))
  let counts = { finished: 0, requeued: 0 }
  const active = new Set<string>()
  const worker = new Worker(
    name,
    async (job, token, signal) => {
      const jobId = job.id as string
      emit({ type: 'job.started', jobId, attempt: Math.max(1, job.attemptsStarted) })
      let outcome: Awaited<ReturnType<typeof runRecipeJob>>
      active.add(jobId)
      try {
        const { size } = await planForJob()
        outcome = await runRecipeJob(job, token, signal, { ...context, backend: backendWith(size) })
      } catch (error) {
        const message = failureMessage(error)
        emit({ type: 'job.error', jobId, message })
        // BullMQ keeps only the message: the code travels in it (see parseJobFailure).
        throw new Error(message)
      } finally {
        active.delete(jobId)
      }
      if (outcome === 'requeue') {
        await job.moveToWait(token)
        counts = { ...counts, requeued: counts.requeued + 1 }
        emit({ type: 'job.requeued', jobId })
        throw new WaitingError()
      }
      counts = { ...counts, finished: counts.finished + 1 }
      emit({ type: 'job.finished', jobId, result: outcome })
      return outcome
    },
    {
      connection: bullmqConnection(connection),
      prefix,
      concurrency,
      name: id,
      lockDuration: lockDurationMs,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 1,
      autorun: false,
    },
  )
  worker.on('error', (error) => logger?.warn?.(`worker: ${error.message}`))
  // BullMQ's documented answer to a lock it could not renew: stop the job, the stalled check hands it on.
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const jobId of jobIds) worker.cancelJob(jobId, LOCK_LOST_REASON)
  })
  events.on(CANCEL_EVENT as 'waiting', (args: { jobId: string; reason?: string }) => {
    worker.cancelJob(args.jobId, args.reason ?? 'cancelled')
  })
  await Promise.all([events.waitUntilReady(), worker.waitUntilReady()])
  void worker.run().catch((error: unknown) => logger?.warn?.(`worker stopped: ${String(error)}`))

  let closing: Promise<{ finished: number; requeued: number }> | undefined
  const recipeWorker: RecipeWorker = {
    id,
    store,
    running: () => [...active],
    poolPlan,
    close(closeOptions = {}) {
      closing ??= (async () => {
        const graceMs = closeOptions.graceMs ?? options.graceMs ?? 60_000
        const timer = setTimeout(() => worker.cancelAllJobs(SHUTDOWN_REASON), graceMs)
        try {
          await worker.close()
        } finally {
          clearTimeout(timer)
          await events.close().catch(() => {})
          await countingQueue?.close().catch(() => {})
          redis.disconnect()
          if (ownStore) await store.close()
          if (pool !== false) await playgroundPool.drain()
        }
        return counts
      })()
      return closing
    },
    async [Symbol.asyncDispose]() {
      await recipeWorker.close()
    },
  }
  return recipeWorker
}

function checkPoolOptions(options: CreateRecipeWorkerOptions): void {
  const { pool, cores } = options
  if (cores !== undefined && (!Number.isInteger(cores) || cores < 1)) {
    throw new QueueError(
      'QUEUE_OPTIONS_INVALID',
      `cores must be a whole number of at least 1, not ${cores}.`,
      {
        issues: [
          { path: '$.cores', message: 'expected a whole number ≥ 1 (or leave it out for the machine’s own)' },
        ],
      },
    )
  }
  if (
    pool !== undefined &&
    pool !== false &&
    pool !== 'auto' &&
    (typeof pool !== 'object' || !Number.isInteger(pool.size) || pool.size < 0 || pool.size > 16)
  ) {
    throw new QueueError(
      'QUEUE_OPTIONS_INVALID',
      `pool must be 'auto', false or { size: 0–16 }, not ${JSON.stringify(pool)}.`,
      {
        issues: [
          { path: '$.pool', message: "expected 'auto', false or { size } with a whole number from 0 to 16" },
        ],
      },
    )
  }
}
