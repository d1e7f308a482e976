import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { playground } from '@codebox/backend-playground'
import { createRuntime, type RuntimeEvent } from '@codebox/runtime-core'
import { describe, expect, it } from 'vitest'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

describe('create and destroy', () => {
  it('reports boot progress with phases and fractions before runtime.created', async () => {
    const events: RuntimeEvent[] = []
    const runtime = await createRuntime({
      backend: playground(),
      policy: { commands: { allow: ['wordpress.*'] } },
    })
    try {
      for await (const event of runtime.observe({
        replay: true,
        types: ['runtime.progress', 'runtime.created'],
      })) {
        events.push(event as RuntimeEvent)
        if (event.type === 'runtime.created') break
      }
    } finally {
      await runtime.destroy()
    }
    const progress = events.filter((event) => event.type === 'runtime.progress')
    expect(progress.map((event) => event.type === 'runtime.progress' && event.phase)).toEqual(
      expect.arrayContaining(['template', 'boot', 'ready']),
    )
    const fractions = progress.map((event) => (event.type === 'runtime.progress' ? event.fraction : -1))
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions)
    expect(fractions.at(-1)).toBe(1)
    expect(events.at(-1)?.type).toBe('runtime.created')
  }, 60_000)

  it('leaves RSS flat over 50 create/destroy cycles', async () => {
    const cycle = async () => {
      const runtime = await createRuntime({
        backend: playground(),
        policy: { commands: { allow: ['wordpress.*'] } },
      })
      await runtime.execute({
        command: 'wordpress.run-php',
        args: { code: '<?php echo get_bloginfo("name");' },
      })
      await runtime.destroy()
    }
    // Warm up: the first cycles load the PHP wasm module and fill V8's caches.
    for (let i = 0; i < 5; i++) await cycle()
    gc()
    const baseline = process.memoryUsage().rss
    for (let i = 0; i < 50; i++) await cycle()
    gc()
    await new Promise((resolve) => setTimeout(resolve, 200))
    gc()
    const grown = process.memoryUsage().rss - baseline
    // One leaked WordPress runtime costs ~100 MB; 50 leaked runtimes would be gigabytes. Allow allocator noise.
    console.log(
      `RSS after 50 create/destroy cycles: ${(grown / 1024 / 1024).toFixed(1)} MB over the warmed-up baseline`,
    )
    expect(grown).toBeLessThan(120 * 1024 * 1024)
  }, 300_000)
})
