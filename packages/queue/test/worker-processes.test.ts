import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createRecipeQueue,
  createRecipeWorker,
  downloadBundle,
  type RecipeJobEvent,
  type RecipeQueue,
} from '../src/index.js'
import { createGate, gatedRecipe, smallRecipe } from './support/recipes.js'
import { startRedisServer, type TestRedisServer } from './support/redis-server.js'
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.js'

// Workers in child processes, so a test can kill one with SIGKILL or stop it with SIGTERM like an orchestrator.
// Short lock and stalled-check intervals make BullMQ notice a dead worker within seconds.
const FAST_STALL = { lockDurationMs: 2_000, stalledIntervalMs: 1_000, maxStalledCount: 1 }

let redis: TestRedisServer
let scratch: string
const open: { close(): Promise<unknown> }[] = []
const children: WorkerProcess[] = []

beforeAll(async () => {
  redis = await startRedisServer()
  scratch = await mkdtemp(join(tmpdir(), 'codebox-queue-processes-'))
})

afterAll(async () => {
  for (const worker of children) if (worker.child.exitCode === null) worker.child.kill('SIGKILL')
  for (const resource of open.reverse()) await resource.close().catch(() => {})
  await redis?.stop()
  await rm(scratch, { recursive: true, force: true })
})

async function queueNamed(name: string): Promise<RecipeQueue> {
  const queue = await createRecipeQueue({ connection: redis.url, name })
  open.push(queue)
  return queue
}

async function untilWorkflow(queue: RecipeQueue, jobId: string): Promise<void> {
  for await (const event of queue.events({ jobId })) {
    if (event.type === 'job.progress' && event.progress.phase === 'workflow') return
  }
}

describe('worker processes on a real Redis', () => {
  it('hands the job of a worker killed with -9 to another, which finishes it: one bundle', async () => {
    const name = 'killed'
    const artifacts = pathToFileURL(join(scratch, name)).href
    const gate = await createGate()
    const queue = await queueNamed(name)
    const first = await startWorkerProcess({
      connection: redis.url,
      name,
      artifacts,
      baseDir: gate.baseDir,
      ...FAST_STALL,
    })
    children.push(first)
    const { jobId } = await queue.enqueue(gatedRecipe(), { jobId: 'crash-1' })
    const events: RecipeJobEvent[] = []
    const watching = (async () => {
      for await (const event of queue.events({ jobId })) events.push(event)
    })()
    await untilWorkflow(queue, jobId)
    first.child.kill('SIGKILL')
    expect((await first.exited).signal).toBe('SIGKILL')

    const second = await createRecipeWorker({
      connection: redis.url,
      name,
      artifacts,
      baseDir: gate.baseDir,
      pool: false,
      ...FAST_STALL,
    })
    open.push(second)
    await gate.open()
    const finished = await queue.waitForResult(jobId)
    await watching
    expect(finished.state).toBe('completed')
    if (finished.state !== 'completed') return
    expect(finished.result).toMatchObject({ status: 'ok', attempt: 2, worker: { id: second.id } })
    expect(events.map((event) => event.type)).toContain('job.stalled')
    expect(await second.store.list()).toEqual(['crash-1.tar.gz'])
    const { report } = await downloadBundle(second.store, finished.result.bundle!, scratch)
    expect(report.ok).toBe(true)
  })

  it('drains on SIGTERM: the running job finishes, no new one starts, the process exits 0', async () => {
    const name = 'drained'
    const gate = await createGate()
    const queue = await queueNamed(name)
    const worker = await startWorkerProcess({
      connection: redis.url,
      name,
      artifacts: pathToFileURL(join(scratch, name)).href,
      baseDir: gate.baseDir,
      graceMs: 600_000,
    })
    children.push(worker)
    const running = await queue.enqueue(gatedRecipe(), { jobId: 'in-flight' })
    const next = await queue.enqueue(smallRecipe(), { jobId: 'not-started' })
    await untilWorkflow(queue, running.jobId)
    worker.child.kill('SIGTERM')
    await worker.waitFor((line) => line.type === 'draining')
    await gate.open()
    const finished = await queue.waitForResult(running.jobId)
    expect(finished).toMatchObject({
      state: 'completed',
      result: { status: 'ok', worker: { pid: worker.child.pid } },
    })
    expect(await worker.exited).toEqual({ code: 0, signal: null })
    expect(worker.lines.at(-1)).toMatchObject({ type: 'closed', finished: 1, requeued: 0 })
    expect(await queue.getJob(next.jobId)).toMatchObject({ state: 'waiting', attemptsStarted: 0 })
  })

  it('puts a job still running after the grace period back in the queue for another worker', async () => {
    const name = 'requeued'
    const gate = await createGate()
    const queue = await queueNamed(name)
    const worker = await startWorkerProcess({
      connection: redis.url,
      name,
      artifacts: pathToFileURL(join(scratch, name)).href,
      baseDir: gate.baseDir,
      graceMs: 500,
    })
    children.push(worker)
    const { jobId } = await queue.enqueue(gatedRecipe(), { jobId: 'too-slow' })
    await untilWorkflow(queue, jobId)
    worker.child.kill('SIGTERM')
    expect(await worker.exited).toEqual({ code: 0, signal: null })
    expect(worker.lines.at(-1)).toMatchObject({ type: 'closed', finished: 0, requeued: 1 })
    expect(await queue.getJob(jobId)).toMatchObject({ state: 'waiting', attemptsStarted: 1 })
  })
})
