import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createRecipeWorker, type RecipeWorker, type RecipeWorkerEvent, redactUrl } from '@codebox/queue'
import { CliError } from '../cli-error.js'
import { type CliIo, reportError, writeJson } from '../cli-output.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'
import { onInterrupt } from '../interrupt-signals.js'

/** Options of `codebox worker`. */
export interface WorkerCommandOptions {
  /** Redis URL. Default `$CODEBOX_REDIS_URL` (keeps a password out of the process list). */
  readonly redis?: string
  /** Bundle store: `file:///dir`, `s3://bucket/prefix`, or a directory path (made a file URL). */
  readonly artifacts: string
  /** Recipes run at once. Default 1. */
  readonly concurrency?: number
  /** BullMQ queue name. Default `codebox-recipes`. */
  readonly queue?: string
  /** Warm pool size (PHP workers booted ahead), 0 for none, or `'auto'` (see `createRecipeWorker`). Default `'auto'`. */
  readonly pool?: number | 'auto'
  /** Directory holding the host files jobs may use. Default none: jobs naming host paths are refused. */
  readonly baseDir?: string
  /** How long running jobs may finish after SIGTERM before they go back to the queue, in ms. Default 60000. */
  readonly graceMs?: number
  /** S3-compatible endpoint for an `s3://` store. Default the AWS SDK's (`AWS_ENDPOINT_URL_S3`). */
  readonly s3Endpoint?: string
  /** BullMQ lock duration in ms: how soon a dead worker's job counts as stalled. Default 30000. */
  readonly lockDurationMs?: number
  /** How often to look for stalled jobs, in ms. Default 30000. */
  readonly stalledIntervalMs?: number
  readonly json?: boolean
  readonly offline?: boolean
  readonly cacheDir?: string
}

/** The `result` of `codebox worker --json`, printed once the worker takes jobs. */
export interface WorkerCommandResult {
  readonly workerId: string
  readonly queue: string
  /** The Redis URL, credentials redacted. */
  readonly redis: string
  readonly artifacts: string
  readonly concurrency: number
}

/** A directory path is accepted for convenience and means the same as its `file://` URL. */
function storeUrl(artifacts: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(artifacts) ? artifacts : pathToFileURL(resolve(artifacts)).href
}

function describeEvent(event: RecipeWorkerEvent): string {
  switch (event.type) {
    case 'job.started':
      return `job ${event.jobId} started (attempt ${event.attempt})`
    case 'job.finished':
      return `job ${event.jobId} ${event.result.status} (exit ${event.result.exitCode})${event.result.bundle ? ` bundle ${event.result.bundle.url}` : ''}`
    case 'job.requeued':
      return `job ${event.jobId} put back in the queue (still running when the grace period ended)`
    case 'job.error':
      return `job ${event.jobId} failed, BullMQ retries it if it has attempts left: ${event.message.split('\n')[0]}`
  }
}

/**
 * `codebox worker`: takes recipe jobs from a BullMQ queue on Redis and runs them (see `@codebox/queue`) until SIGINT
 * or SIGTERM, then drains: running jobs finish within `--grace`, later ones go back to the queue, no new one starts,
 * exit 0. A second signal exits at once (130); BullMQ hands that worker's jobs to another once their lock expires.
 */
export async function workerCommand(options: WorkerCommandOptions, io: CliIo): Promise<ExitCode> {
  const json = options.json === true
  const redis = options.redis ?? process.env.CODEBOX_REDIS_URL
  if (redis === undefined || redis === '') {
    return reportError(
      io,
      'worker',
      new CliError('CLI_USAGE', 'Give the Redis URL with --redis redis://host:6379 or CODEBOX_REDIS_URL'),
      json,
    )
  }
  const log = (line: string) => io.stderr.write(`codebox: ${line}\n`)
  let worker: RecipeWorker | undefined
  let stopRequested: (() => void) | undefined
  const stopped = new Promise<void>((resolveStop) => {
    stopRequested = resolveStop
  })
  const stopListening = onInterrupt((count) => {
    if (count > 1) process.exit(EXIT_CODES.INTERRUPTED)
    stopRequested?.()
  })
  try {
    const concurrency = options.concurrency ?? 1
    worker = await createRecipeWorker({
      connection: redis,
      artifacts: storeUrl(options.artifacts),
      concurrency,
      ...(options.queue === undefined ? {} : { name: options.queue }),
      pool:
        options.pool === undefined || options.pool === 'auto'
          ? 'auto'
          : options.pool === 0
            ? false
            : { size: options.pool },
      ...(options.baseDir === undefined ? {} : { baseDir: resolve(options.baseDir) }),
      ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
      ...(options.s3Endpoint === undefined ? {} : { s3: { endpoint: options.s3Endpoint } }),
      ...(options.lockDurationMs === undefined ? {} : { lockDurationMs: options.lockDurationMs }),
      ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
      ...(options.offline ? { offline: true } : {}),
      ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
      onEvent: (event) => log(describeEvent(event)),
      logger: { debug: () => {}, info: () => {}, warn: (message: string) => log(`warning: ${message}`) },
    })
    const result: WorkerCommandResult = {
      workerId: worker.id,
      queue: options.queue ?? 'codebox-recipes',
      redis: redactUrl(redis),
      artifacts: worker.store.url,
      concurrency,
    }
    if (json) writeJson(io, { command: 'worker', ok: true, exitCode: EXIT_CODES.OK, result, error: null })
    else {
      log(
        `worker ${result.workerId} taking jobs from ${result.redis} (queue ${result.queue}, concurrency ${concurrency}); bundles go to ${result.artifacts}; Ctrl-C or SIGTERM drains`,
      )
    }
    await stopped
    log(
      `draining: no new jobs; running ones have ${options.graceMs ?? 60_000} ms to finish (again to quit now)`,
    )
    const counts = await worker.close()
    log(`stopped: ${counts.finished} jobs finished in all, ${counts.requeued} put back in the queue`)
    return EXIT_CODES.OK
  } catch (error) {
    return reportError(io, 'worker', error, json)
  } finally {
    await worker?.close()
    stopListening()
  }
}
