import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addrHost, poolFits } from '../src/auto-pool.js'
import { createRecipeWorker, type QueueError, type RecipeWorker } from '../src/index.js'
import { startRedisServer, type TestRedisServer } from './support/redis-server.js'

// The workers here take no job: `poolPlan()` counts them through BullMQ's worker list on a real Redis.
let redis: TestRedisServer
let scratch: string

beforeAll(async () => {
  redis = await startRedisServer()
  scratch = await mkdtemp(join(tmpdir(), 'codebox-auto-pool-'))
})

afterAll(async () => {
  await redis?.stop()
  await rm(scratch, { recursive: true, force: true })
})

function worker(name: string, options: { cores?: number; concurrency?: number; pool?: false } = {}) {
  return createRecipeWorker({
    connection: redis.url,
    name,
    artifacts: pathToFileURL(join(scratch, name)).href,
    ...options,
  })
}

describe("pool: 'auto'", () => {
  it('keeps a pool for the only worker on 2 cores and drops it once a second worker of the queue joins', async () => {
    const first = await worker('auto-a', { cores: 2 })
    let second: RecipeWorker | undefined
    try {
      expect(await first.poolPlan()).toEqual({ size: 1, workersOnHost: 1, cores: 2, concurrency: 1 })
      second = await worker('auto-a', { cores: 2 })
      expect(await first.poolPlan()).toMatchObject({ size: 0, workersOnHost: 2 })
      expect(await second.poolPlan()).toMatchObject({ size: 0, workersOnHost: 2 })
      await second.close()
      second = undefined
      expect(await first.poolPlan()).toMatchObject({ size: 1, workersOnHost: 1 })
    } finally {
      await second?.close()
      await first.close()
    }
  })

  it('counts only workers of its own queue, and gives concurrency its own core', async () => {
    const here = await worker('auto-b', { cores: 4, concurrency: 2 })
    const elsewhere = await worker('auto-c', { cores: 4 })
    try {
      expect(await here.poolPlan()).toEqual({ size: 1, workersOnHost: 1, cores: 4, concurrency: 2 })
      const crowded = await worker('auto-b', { cores: 4, concurrency: 2 })
      try {
        expect(await here.poolPlan()).toMatchObject({ size: 0, workersOnHost: 2 })
      } finally {
        await crowded.close()
      }
    } finally {
      await elsewhere.close()
      await here.close()
    }
  })

  it('reports a fixed pool as configured, uncounted', async () => {
    const fixed = await worker('auto-d', { cores: 1, pool: false })
    try {
      expect(await fixed.poolPlan()).toEqual({ size: 0, workersOnHost: 1, cores: 1, concurrency: 1 })
    } finally {
      await fixed.close()
    }
  })

  it('refuses cores and pool values it cannot use with QUEUE_OPTIONS_INVALID naming the field', async () => {
    await expect(worker('auto-e', { cores: 0 })).rejects.toMatchObject({
      code: 'QUEUE_OPTIONS_INVALID',
      issues: [{ path: '$.cores' }],
    } satisfies Partial<QueueError>)
    await expect(
      createRecipeWorker({
        connection: redis.url,
        artifacts: pathToFileURL(scratch).href,
        pool: { size: -1 },
      }),
    ).rejects.toMatchObject({ code: 'QUEUE_OPTIONS_INVALID', issues: [{ path: '$.pool' }] })
  })
})

describe('poolFits and addrHost (pure functions, no Redis)', () => {
  it('needs a core for each running job and one for the pool boot beside each', () => {
    expect(poolFits({ workersOnHost: 1, concurrency: 1, cores: 2 })).toBe(true)
    expect(poolFits({ workersOnHost: 2, concurrency: 1, cores: 2 })).toBe(false)
    expect(poolFits({ workersOnHost: 2, concurrency: 1, cores: 4 })).toBe(true)
    expect(poolFits({ workersOnHost: 1, concurrency: 1, cores: 1 })).toBe(false)
  })

  it('takes the host out of Redis client addresses, IPv4 and IPv6', () => {
    expect(addrHost('127.0.0.1:50412')).toBe('127.0.0.1')
    expect(addrHost('::1:50412')).toBe('::1')
    expect(addrHost('[::1]:50412')).toBe('::1')
    expect(addrHost(undefined)).toBeUndefined()
  })
})
