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
  options: { baseDir?: string; offline?: boolean; attempts?: number } = {},
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
    const { queue, worker } = await setup()
    const { jobId } = await queue.enqueue(smallRecipe(), { jobId: 'happy-1' })
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
  })
})
