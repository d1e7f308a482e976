import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createRecipeQueue,
  createRecipeWorker,
  type QueueError,
  type QueueJobResult,
  type RecipeQueue,
} from '../src/index.js'
import { createGate, gatedRecipe, smallRecipe } from './support/recipes.js'
import { freePort, startRedisServer, type TestRedisServer } from './support/redis-server.js'

// Jobs here never boot WordPress: they are refused, malformed or cancelled before the runtime starts, so every
// answer comes from the queue and the worker's checks against a real Redis.
let redis: TestRedisServer
let scratch: string
const open: { close(): Promise<unknown> }[] = []

beforeAll(async () => {
  redis = await startRedisServer()
  scratch = await mkdtemp(join(tmpdir(), 'codebox-queue-'))
})

afterAll(async () => {
  for (const resource of open.reverse()) await resource.close().catch(() => {})
  await redis?.stop()
  await rm(scratch, { recursive: true, force: true })
})

let count = 0
const nextName = () => `queue-test-${++count}`

async function queueNamed(name: string): Promise<RecipeQueue> {
  const queue = await createRecipeQueue({ connection: redis.url, name, backoffMs: 50 })
  open.push(queue)
  return queue
}

async function workerFor(name: string, options: { baseDir?: string; env?: Record<string, string> } = {}) {
  const worker = await createRecipeWorker({
    connection: redis.url,
    name,
    artifacts: pathToFileURL(join(scratch, name)).href,
    pool: false,
    ...options,
  })
  open.push(worker)
  return worker
}

async function completed(queue: RecipeQueue, jobId: string): Promise<QueueJobResult> {
  const finished = await queue.waitForResult(jobId, { timeoutMs: 120_000 })
  if (finished.state !== 'completed')
    throw new Error(`job ${jobId} ended ${finished.state}: ${JSON.stringify(finished)}`)
  return finished.result
}

async function rejection(promise: Promise<unknown>): Promise<QueueError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: QueueError) => error,
  )
}

describe('connecting to Redis', () => {
  it('reports an unreachable Redis as QUEUE_REDIS_UNREACHABLE naming the URL without its password', async () => {
    const port = await freePort()
    const url = `redis://admin:hunter2@127.0.0.1:${port}/0`
    for (const attempt of [
      () => createRecipeQueue({ connection: url }),
      () => createRecipeWorker({ connection: url, artifacts: pathToFileURL(scratch).href }),
    ]) {
      const error = await rejection(attempt())
      expect(error.code).toBe('QUEUE_REDIS_UNREACHABLE')
      expect(error.message).toContain(`redis://***:***@127.0.0.1:${port}/0`)
      expect(error.message).toContain('check that redis-server is running')
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('hunter2')
    }
  })

  it('refuses a URL that is not redis:// or rediss:// with QUEUE_REDIS_URL_INVALID', async () => {
    const error = await rejection(createRecipeQueue({ connection: 'http://127.0.0.1:6379' }))
    expect(error.code).toBe('QUEUE_REDIS_URL_INVALID')
  })
})

describe('enqueueing', () => {
  it('refuses an invalid recipe with RECIPE_INVALID and its paths, and adds nothing', async () => {
    const queue = await queueNamed(nextName())
    const error = await rejection(
      queue.enqueue({ ...smallRecipe(), workflow: { steps: [{ name: 'x' }] } }, { jobId: 'never-added' }),
    )
    expect(error.code).toBe('RECIPE_INVALID')
    expect(JSON.stringify(error.details)).toContain('$.workflow.steps[0].command')
    expect((await rejection(queue.getJob('never-added'))).code).toBe('QUEUE_JOB_NOT_FOUND')
  })

  it('refuses invalid options with QUEUE_OPTIONS_INVALID naming each field', async () => {
    const queue = await queueNamed(nextName())
    const error = await rejection(queue.enqueue(smallRecipe(), { jobId: 'a:b', priority: 0 }))
    expect(error.code).toBe('QUEUE_OPTIONS_INVALID')
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['$options.jobId', '$options.priority'])
  })

  it('adds a job id once: enqueueing it again returns the same job', async () => {
    const queue = await queueNamed(nextName())
    expect(await queue.enqueue(smallRecipe(), { jobId: 'once' })).toEqual({ jobId: 'once' })
    expect(await queue.enqueue(smallRecipe('other'), { jobId: 'once' })).toEqual({ jobId: 'once' })
    const state = await queue.getJob('once')
    expect(state).toMatchObject({ state: 'waiting', attemptsStarted: 0, progress: null })
  })

  it('puts connector names in the job, never a secret value', async () => {
    const name = nextName()
    const queue = await queueNamed(name)
    process.env.QUEUE_TEST_TOKEN = 'producer-side-secret-value'
    try {
      const recipe = {
        ...smallRecipe(),
        inputs: { connectors: [{ name: 'acme', secrets: ['QUEUE_TEST_TOKEN'] }] },
      }
      await queue.enqueue(recipe, { jobId: 'named-only' })
      const raw = new Queue(name, { connection: { host: '127.0.0.1', port: redis.port } })
      const job = await raw.getJob('named-only')
      await raw.close()
      expect(JSON.stringify(job?.data)).toContain('QUEUE_TEST_TOKEN')
      expect(JSON.stringify(job?.data)).not.toContain('producer-side-secret-value')
    } finally {
      delete process.env.QUEUE_TEST_TOKEN
    }
  })

  it('reports QUEUE_JOB_NOT_FOUND for a job that was never added', async () => {
    const queue = await queueNamed(nextName())
    const error = await rejection(queue.getJob('nobody'))
    expect(error.code).toBe('QUEUE_JOB_NOT_FOUND')
    expect(error.message).toContain('"nobody"')
  })
})

describe('jobs a worker refuses before booting, each completed once with a result and never retried', () => {
  it('completes a job whose data is not a codebox job as invalid with the path of each problem', async () => {
    const name = nextName()
    const queue = await queueNamed(name)
    await workerFor(name)
    // A producer that bypasses createRecipeQueue (another language, an old version) writes BullMQ jobs directly.
    const raw = new Queue(name, { connection: { host: '127.0.0.1', port: redis.port } })
    await raw.add('recipe', { recipe: smallRecipe(), timeoutMs: -5 }, { jobId: 'raw-bad-data', attempts: 3 })
    await raw.add(
      'recipe',
      { schema: 'codebox/queue-job/v1', enqueuedAt: new Date().toISOString(), recipe: { schema: 'nope' } },
      { jobId: 'raw-bad-recipe', attempts: 3 },
    )
    await raw.close()
    const badData = await completed(queue, 'raw-bad-data')
    expect(badData).toMatchObject({ status: 'invalid', exitCode: 2, attempt: 1, bundle: null })
    expect(badData.error?.code).toBe('QUEUE_JOB_INVALID')
    expect(badData.error?.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['$job.schema', '$job.timeoutMs', '$job.enqueuedAt']),
    )
    const badRecipe = await completed(queue, 'raw-bad-recipe')
    expect(badRecipe).toMatchObject({ status: 'invalid', exitCode: 2, attempt: 1 })
    expect(badRecipe.error?.code).toBe('RECIPE_INVALID')
    expect(badRecipe.error?.issues.map((issue) => issue.path)).toContain('$.schema')
  })

  it('completes a recipe the backend cannot provide as invalid with the recipe path ($.runtime.wp)', async () => {
    const name = nextName()
    const queue = await queueNamed(name)
    await workerFor(name)
    const { jobId } = await queue.enqueue({ ...smallRecipe(), runtime: { backend: 'playground', wp: '4.0' } })
    const result = await completed(queue, jobId)
    expect(result).toMatchObject({ status: 'invalid', exitCode: 2, label: null })
    expect(result.error?.issues.map((issue) => issue.path)).toEqual(['$.runtime.wp'])
  })

  it('refuses host paths outside the worker base directory, and all host paths without one', async () => {
    const name = nextName()
    const queue = await queueNamed(name)
    const gate = await createGate()
    await workerFor(name, { baseDir: gate.baseDir })
    const mounts = [
      { source: '/etc', target: '/wordpress/wp-content/a', mode: 'readonly' },
      { source: './gate', target: '/wordpress/wp-content/b', mode: 'readonly' },
      { source: '../../etc', target: '/wordpress/wp-content/c', mode: 'readonly' },
    ]
    const outside = await completed(
      queue,
      (await queue.enqueue({ ...gatedRecipe(), inputs: { mounts } })).jobId,
    )
    expect(outside).toMatchObject({ status: 'invalid', exitCode: 2, label: 'queue-gated' })
    expect(outside.error?.issues).toEqual([
      { path: '$.inputs.mounts[0].source', message: expect.stringContaining('outside this worker') },
      { path: '$.inputs.mounts[2].source', message: expect.stringContaining('outside this worker') },
    ])

    const second = nextName()
    const queue2 = await queueNamed(second)
    await workerFor(second)
    const none = await completed(queue2, (await queue2.enqueue(gatedRecipe())).jobId)
    expect(none.error?.issues[0]?.message).toContain('--base-dir')
  })

  it('fails closed when the worker lacks a connector secret: failed with exit code 4, nothing booted', async () => {
    const name = nextName()
    const queue = await queueNamed(name)
    await workerFor(name, { env: {} })
    const recipe = {
      ...smallRecipe(),
      inputs: { connectors: [{ name: 'acme', secrets: ['QUEUE_TEST_MISSING'] }] },
    }
    const result = await completed(queue, (await queue.enqueue(recipe)).jobId)
    expect(result).toMatchObject({ status: 'failed', exitCode: 4, attempt: 1, bundle: null })
    expect(result.error?.code).toBe('CONNECTOR_CREDENTIALS_UNAVAILABLE')
    expect(result.error?.message).toContain('QUEUE_TEST_MISSING')
    expect(result.timings['recipe.bootMs']).toBeUndefined()
  })
})

describe('cancelling', () => {
  it('completes a job cancelled while waiting as cancelled when a worker takes it, without booting', async () => {
    const name = nextName()
    const queue = await queueNamed(name)
    const { jobId } = await queue.enqueue(smallRecipe(), { jobId: 'cancel-waiting' })
    expect(await queue.cancel(jobId, { reason: 'superseded by build 43' })).toEqual({
      jobId,
      state: 'waiting',
      cancelled: true,
    })
    await workerFor(name)
    const result = await completed(queue, jobId)
    expect(result).toMatchObject({ status: 'cancelled', exitCode: 130, bundle: null, steps: [] })
    expect(result.error?.message).toContain('superseded by build 43')
    expect(result.timings['recipe.bootMs']).toBeUndefined()
    expect(await queue.cancel(jobId)).toEqual({ jobId, state: 'completed', cancelled: false })
  })
})
