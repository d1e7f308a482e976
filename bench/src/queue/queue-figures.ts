import { join } from 'node:path'
import { playgroundPool, playgroundRecipeBackend } from '@codebox/backend-playground'
import { createRecipeQueue, createRecipeWorker } from '@codebox/queue'
import { runRecipe } from '@codebox/runtime-core'
import { startRedisServer } from '../../../packages/queue/test/support/redis-server.js'
import type { BenchResults } from '../bench-results.js'
import { createTempDir } from '../temp-dir.js'
import { benchRecipe, drain, fileStore, startWorkerChild } from './queue-setup.js'

/** How much the queue figures run. */
export interface QueueBenchOptions {
  /** Paired samples of the overhead figure. Default 10. */
  readonly overheadSamples: number
  /** Jobs drained by 1 and by 2 worker processes. Default 40 (issue 15). */
  readonly scalingJobs: number
  /** Jobs per throughput figure (warm pool and without). Default 8. */
  readonly poolJobs: number
}

export const DEFAULT_QUEUE_BENCH: QueueBenchOptions = { overheadSamples: 10, scalingJobs: 40, poolJobs: 8 }

const POOL = { size: 1 }

/**
 * Queue figures of issue 15 against a real redis-server on loopback and a filesystem store:
 * - overhead per job: enqueue → result as the producer sees it, minus the recipe run inside the worker
 *   (`queue.runMs`), beside the same recipe run in process as `codebox run` does it;
 * - jobs per minute of one worker with the warm pool and without;
 * - 40 small recipes through 1 and through 2 worker processes (concurrency 1 each), and the speed-up, with the CPU
 *   the workers used (cores busy): with the default `pool: 'auto'` (the target's figure), with a fixed pool of 1, and
 *   without a pool. On 2 cores one pooled worker already keeps both busy (the pool boots the next PHP worker while a
 *   job runs), so the pool-less pair shows whether the queue itself scales, and `'auto'` gives up the pool when a
 *   second worker joins.
 */
export async function measureQueue(
  results: BenchResults,
  options: QueueBenchOptions = DEFAULT_QUEUE_BENCH,
): Promise<void> {
  const redis = await startRedisServer()
  await using dir = await createTempDir('codebox-bench-queue-')
  try {
    await overhead(results, redis.url, dir.path, options.overheadSamples)
    await poolThroughput(results, redis.url, dir.path, options.poolJobs)
    await scaling(results, redis.url, dir.path, options.scalingJobs, 'auto')
    await scaling(results, redis.url, dir.path, options.scalingJobs, POOL)
    await scaling(results, redis.url, dir.path, options.scalingJobs, false)
  } finally {
    await playgroundPool.drain()
    await redis.stop()
  }
}

async function overhead(
  results: BenchResults,
  redisUrl: string,
  dir: string,
  samples: number,
): Promise<void> {
  const name = 'bench-overhead'
  await using queue = await createRecipeQueue({ connection: redisUrl, name })
  await using _worker = await createRecipeWorker({
    connection: redisUrl,
    name,
    artifacts: fileStore(join(dir, name)),
    pool: POOL,
  })
  const direct = () =>
    runRecipe(
      { ...benchRecipe('direct'), artifacts: { directory: join(dir, 'direct'), format: 'tar.gz' } },
      { backendFactory: (spec) => playgroundRecipeBackend(spec, { pool: POOL }), cleanupOnExit: false },
    )
  // Warm both paths (template, JIT, pool) before timing.
  await direct()
  await drain(queue, 'warm', 2)
  const overheads: number[] = []
  const directs: number[] = []
  const queued: number[] = []
  for (let index = 0; index < samples; index++) {
    await playgroundPool.whenFull()
    let started = performance.now()
    const run = await direct()
    if (run.status !== 'ok') throw new Error(`the direct run ended ${run.status}`)
    directs.push(performance.now() - started)
    await playgroundPool.whenFull()
    started = performance.now()
    const { jobId } = await queue.enqueue(benchRecipe('queued'), { jobId: `overhead-${index}` })
    const finished = await queue.waitForResult(jobId)
    const total = performance.now() - started
    if (finished.state !== 'completed' || finished.result.status !== 'ok')
      throw new Error('a queued run failed')
    queued.push(total)
    overheads.push(total - (finished.result.timings['queue.runMs'] ?? 0))
  }
  results.samples('queue-overhead', 'queue overhead per job', overheads, {
    detail:
      'enqueue → result at the producer, minus the recipe run with its bundle inside the worker (queue.runMs); includes pick-up, progress, upload to a file store, completion and the event back',
  })
  results.samples('queue-direct-run', 'small recipe in process (as codebox run)', directs)
  results.samples('queue-job', 'same recipe as a queue job (enqueue → result)', queued)
}

async function poolThroughput(
  results: BenchResults,
  redisUrl: string,
  dir: string,
  jobs: number,
): Promise<void> {
  const perMinute = new Map<string, number>()
  for (const [label, pool] of [
    ['pool', POOL],
    ['no-pool', false],
  ] as const) {
    const name = `bench-${label}`
    await playgroundPool.drain()
    await using queue = await createRecipeQueue({ connection: redisUrl, name })
    await using _worker = await createRecipeWorker({
      connection: redisUrl,
      name,
      artifacts: fileStore(join(dir, name)),
      pool,
    })
    await drain(queue, `${label}-warm`, 1)
    const seconds = await drain(queue, label, jobs)
    perMinute.set(label, (jobs / seconds) * 60)
    results.value(
      `queue-throughput-${label}`,
      `jobs/min, 1 worker, ${label === 'pool' ? 'warm pool' : 'no pool'}`,
      (jobs / seconds) * 60,
      'jobs/min',
      {
        detail: `${jobs} small recipes, concurrency 1, ${seconds.toFixed(1)} s`,
      },
    )
  }
  results.value(
    'queue-pool-gain',
    'warm pool / no pool (jobs per minute)',
    perMinute.get('pool')! / perMinute.get('no-pool')!,
    '×',
  )
}

async function scaling(
  results: BenchResults,
  redisUrl: string,
  dir: string,
  jobs: number,
  pool: typeof POOL | false | 'auto',
): Promise<void> {
  const rates = new Map<number, number>()
  const suffix = pool === 'auto' ? '' : pool ? '-pool' : '-no-pool'
  const label = pool === 'auto' ? ", pool 'auto' (the default)" : pool ? ', pool of 1 each' : ', no pool'
  for (const processes of [1, 2]) {
    const name = `bench-scaling${suffix}-${processes}`
    await using queue = await createRecipeQueue({ connection: redisUrl, name })
    const workers = await Promise.all(
      Array.from({ length: processes }, () =>
        startWorkerChild({ connection: redisUrl, name, artifacts: fileStore(join(dir, name)), pool }),
      ),
    )
    try {
      await drain(queue, 'warm', 2 * processes)
      const cpuBefore = await Promise.all(workers.map((worker) => worker.cpuSeconds()))
      const seconds = await drain(queue, 'timed', jobs)
      const cpuAfter = await Promise.all(workers.map((worker) => worker.cpuSeconds()))
      const cpu = cpuAfter.reduce((sum, after, index) => sum + after - (cpuBefore[index] ?? 0), 0)
      rates.set(processes, jobs / seconds)
      results.value(
        `queue-scaling${suffix}-p${processes}`,
        `${jobs} recipes, ${processes} worker process${processes > 1 ? 'es' : ''}${label}`,
        seconds * 1000,
        'ms',
        {
          // Cores busy = the worker processes' CPU time over the wall time: what bounds the speed-up.
          detail: `${((jobs / seconds) * 60).toFixed(1)} jobs/min, ${(cpu / seconds).toFixed(2)} cores busy`,
        },
      )
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()))
    }
  }
  results.value(
    `queue-scaling${suffix}`,
    `${jobs} recipes: 2 worker processes / 1${label}`,
    rates.get(2)! / rates.get(1)!,
    '×',
  )
}
