import { afterAll, describe, expect, it } from 'vitest'
import { playgroundPool } from '../runtime/worker-pool.js'
import { PhpWorker } from './php-worker-client.js'
import { dropSpareThreads, spareThreadIds } from './spare-threads.js'

// Real PHP workers (bare PHP, no WordPress): the spare thread is a real thread that later runs PHP.
describe('spare worker threads', () => {
  afterAll(async () => {
    await dropSpareThreads({ enabled: true })
  })

  it('keeps one thread started ahead, hands it to the next start, and starts another once that PHP booted', async () => {
    await dropSpareThreads()
    await using first = await PhpWorker.start()
    const [spare] = spareThreadIds()
    expect(spare).toBeTypeOf('number')
    await using second = await PhpWorker.start()
    expect(second.threadId).toBe(spare)
    expect(spareThreadIds()).toHaveLength(1)
    expect(spareThreadIds()).not.toContain(spare)
    // Each thread runs its own PHP: the one from the spare answers like the first.
    for (const worker of [first, second]) {
      const { stdout, exitCode } = await worker.run({ code: '<?php echo getmypid() > 0 ? "ok" : "no";' })
      expect({ stdout, exitCode }).toEqual({ stdout: 'ok', exitCode: 0 })
    }
    expect(first.info.phpVersion).toBe(second.info.phpVersion)
  }, 60_000)

  it('stops the spare on drain and starts none while turned off', async () => {
    await using _warm = await PhpWorker.start()
    expect(spareThreadIds()).toHaveLength(1)
    await playgroundPool.drain()
    expect(spareThreadIds()).toHaveLength(0)
    await playgroundPool.spareThreads(false)
    await using _off = await PhpWorker.start()
    expect(spareThreadIds()).toHaveLength(0)
    await playgroundPool.spareThreads(true)
    await using _on = await PhpWorker.start()
    expect(spareThreadIds()).toHaveLength(1)
  }, 60_000)
})
