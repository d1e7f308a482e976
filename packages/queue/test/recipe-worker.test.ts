import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createRecipeQueue,
  createRecipeWorker,
  downloadBundle,
  openArtifactStore,
  type RecipeJobEvent,
  type RecipeQueue,
  type RecipeWorker,
} from '../src/index.js'
import { createGate, failingRecipe, gatedRecipe, smallRecipe } from './support/recipes.js'
import { startRedisServer, type TestRedisServer } from './support/redis-server.js'
import { startS3Server, type TestS3Server } from './support/s3-server.js'

// One Redis, one S3 server and one worker (with its warm pool) for the whole file: each test uses its own queue
// name so jobs never cross.
let redis: TestRedisServer
let s3: TestS3Server
let scratch: string
const open: { close(): Promise<unknown> }[] = []

beforeAll(async () => {
  ;[redis, s3] = await Promise.all([startRedisServer(), startS3Server()])
  scratch = await mkdtemp(join(tmpdir(), 'codebox-queue-worker-'))
})

afterAll(async () => {
  for (const resource of open.reverse()) await resource.close().catch(() => {})
  await Promise.all([redis?.stop(), s3?.stop()])
  await rm(scratch, { recursive: true, force: true })
})

let queueCount = 0
async function setup(
  options: { baseDir?: string; offline?: boolean; attempts?: number; env?: Record<string, string> } = {},
): Promise<{ queue: RecipeQueue; worker: RecipeWorker; name: string }> {
  const name = `worker-test-${++queueCount}`
  const queue = await createRecipeQueue({
    connection: redis.url,
    name,
    backoffMs: 50,
    ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
  })
  const worker = await createRecipeWorker({
    connection: redis.url,
    name,
    artifacts: `s3://${s3.bucket}/${name}`,
    s3: { endpoint: s3.endpoint, credentials: s3.credentials },
    pool: false,
    ...(options.baseDir ? { baseDir: options.baseDir } : {}),
    ...(options.offline ? { offline: true } : {}),
    ...(options.env ? { env: options.env } : {}),
  })
  open.push(queue, worker)
  return { queue, worker, name }
}

async function collect(events: AsyncIterable<RecipeJobEvent>): Promise<RecipeJobEvent[]> {
  const seen: RecipeJobEvent[] = []
  for await (const event of events) seen.push(event)
  return seen
}

describe('a recipe job on a real Redis, run by a worker into a real S3-compatible store', () => {
  it('runs the recipe, reports its phases as progress and completes with a result whose bundle verifies', async () => {
    // The job names a connector; the worker resolves its value from its own environment.
    const secret = 'worker-side-token-8c1f'
    const { queue, worker, name } = await setup({ env: { QUEUE_ACME_TOKEN: secret } })
    const recipe = {
      ...smallRecipe(),
      inputs: {
        ...(smallRecipe().inputs as object),
        connectors: [{ name: 'acme', secrets: ['QUEUE_ACME_TOKEN'] }],
      },
    }
    const { jobId } = await queue.enqueue(recipe, { jobId: 'happy-1' })
    const events = collect(queue.events({ jobId }))
    const finished = await queue.waitForResult(jobId)
    expect(finished.state).toBe('completed')
    if (finished.state !== 'completed') return
    const { result } = finished
    expect(result).toMatchObject({ status: 'ok', exitCode: 0, label: 'queue-small', error: null, attempt: 1 })
    expect(result.steps.map((step) => [step.name, step.status])).toEqual([
      ['php-answers', 'ok'],
      ['site-name', 'ok'],
    ])
    expect(result.timings['recipe.totalMs']).toBeGreaterThan(0)
    expect(result.bundle?.key).toBe('happy-1.tar.gz')
    expect(result.bundle?.url).toBe(`${worker.store.url}/happy-1.tar.gz`)
    const seen = await events
    const phases = seen.flatMap((event) =>
      event.type === 'job.progress' ? [`${event.progress.phase}:${event.progress.state}`] : [],
    )
    expect(phases).toContain('boot:ok')
    expect(phases).toContain('health-probes:ok')
    expect(phases).toContain('workflow:ok')
    expect(phases.at(-1)).toBe('upload:ok')
    expect(seen.at(-1)?.type).toBe('job.completed')

    await using store = await openArtifactStore(worker.store.url, {
      s3: { endpoint: s3.endpoint, credentials: s3.credentials },
    })
    const downloaded = await downloadBundle(store, result.bundle!, scratch)
    expect(downloaded.report.ok).toBe(true)
    const raw = new Queue(name, { connection: { host: '127.0.0.1', port: redis.port } })
    const job = await raw.getJob(jobId)
    await raw.close()
    expect(JSON.stringify(job)).not.toContain(secret)
  })

  it('completes a recipe whose probe fails as a failed result, once, without retrying it', async () => {
    const { queue } = await setup({ attempts: 3 })
    const { jobId } = await queue.enqueue(failingRecipe())
    const events = collect(queue.events({ jobId }))
    const finished = await queue.waitForResult(jobId)
    expect(finished.state).toBe('completed')
    if (finished.state !== 'completed') return
    expect(finished.result).toMatchObject({
      status: 'failed',
      exitCode: 1,
      failedPhase: 'health-probes',
      attempt: 1,
      error: { code: 'RECIPE_FAILED' },
    })
    expect(finished.result.diagnostics[0]?.name).toBe('expects-the-impossible')
    expect(finished.result.bundle).not.toBeNull()
    expect((await events).filter((event) => event.type === 'job.retrying')).toEqual([])
  })

  it('retries an infrastructure failure (a resource missing at boot) with backoff, then fails the job', async () => {
    const { queue } = await setup({ attempts: 3, offline: true })
    const recipe = {
      ...smallRecipe(),
      inputs: { extra_plugins: [{ slug: 'codebox-queue-no-such-plugin', version: '9.9.9' }] },
    }
    const { jobId } = await queue.enqueue(recipe)
    const events = collect(queue.events({ jobId }))
    const finished = await queue.waitForResult(jobId)
    expect(finished).toMatchObject({
      state: 'failed',
      attemptsMade: 3,
      error: { code: 'RESOURCE_UNAVAILABLE' },
    })
    const seen = await events
    expect(seen.filter((event) => event.type === 'job.retrying')).toHaveLength(2)
    expect(seen.at(-1)?.type).toBe('job.failed')
  })

  it('cancels a running job: the runtime is aborted mid-step and the job completes cancelled', async () => {
    const gate = await createGate()
    const { queue } = await setup({ baseDir: gate.baseDir })
    const { jobId } = await queue.enqueue(gatedRecipe())
    for await (const event of queue.events({ jobId })) {
      if (event.type === 'job.progress' && event.progress.phase === 'workflow') break
    }
    expect((await queue.getJob(jobId)).state).toBe('active')
    expect(await queue.cancel(jobId, { reason: 'user pressed stop' })).toMatchObject({ cancelled: true })
    const finished = await queue.waitForResult(jobId)
    expect(finished.state).toBe('completed')
    if (finished.state !== 'completed') return
    expect(finished.result).toMatchObject({ status: 'cancelled', exitCode: 130 })
    expect(finished.result.error?.message).toContain('user pressed stop')
    expect(finished.result.steps).toEqual([
      expect.objectContaining({ name: 'wait-for-gate', status: 'aborted' }),
    ])
    // The bundle of what happened up to the cancellation is still there for review.
    expect(finished.result.bundle).not.toBeNull()
  })

  it("stops a job at its timeoutMs with the recipe's timed-out result, not retried", async () => {
    const gate = await createGate()
    const { queue } = await setup({ baseDir: gate.baseDir, attempts: 3 })
    const { jobId } = await queue.enqueue(gatedRecipe(), { timeoutMs: 5_000 })
    const finished = await queue.waitForResult(jobId)
    expect(finished.state).toBe('completed')
    if (finished.state !== 'completed') return
    expect(finished.result).toMatchObject({ status: 'timed-out', exitCode: 6, attempt: 1 })
    expect(finished.result.error?.code).toBe('OPERATION_TIMED_OUT')
    // Whether the deadline hit during boot or in the gated step depends on the machine; neither ran the step.
    expect(finished.result.steps.filter((step) => step.status === 'ok')).toEqual([])
  })
})
