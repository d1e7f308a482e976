import { playground, playgroundPool } from '@codebox/backend-playground'
import { createRuntime, type RuntimeSnapshot } from '@codebox/runtime-core'
import { POLICY } from './bench-constants.js'
import type { BenchContext } from './bench-context.js'
import type { PlaygroundRuntime } from './codebox-requests.js'
import { timeSamples } from './time-samples.js'

async function expectBlogname(runtime: PlaygroundRuntime, expected: string): Promise<void> {
  const result = await runtime.execute({
    command: 'wordpress.run-php',
    args: { code: "<?php echo get_option('blogname');" },
  })
  if (result.stdout !== expected) {
    throw new Error(
      `the fork has blogname ${JSON.stringify(result.stdout)}, expected ${JSON.stringify(expected)}`,
    )
  }
}

/**
 * Snapshot of a fresh site (time and size), snapshot after one write, fork from that snapshot, and fork from a
 * warm pool of one pre-started PHP worker (refilled between samples).
 */
export async function measureForkFigures({ config, results, plugins }: BenchContext): Promise<void> {
  const backend = playground({ plugins: [...plugins] })
  const destroy = (runtime: PlaygroundRuntime) => runtime.destroy()
  await using source = await createRuntime({ backend, policy: POLICY })

  let fresh: RuntimeSnapshot | undefined
  const snapshotMs = await timeSamples(config.createSamples, () => source.snapshot(), {
    after: async (snapshot) => {
      fresh = snapshot
    },
  })
  results.samples('snapshot-time', 'snapshot of a fresh site', snapshotMs)
  results.value('snapshot-size', 'snapshot size (fresh site)', fresh!.bytes.byteLength / 1e6, 'MB', {
    detail: `${fresh!.bytes.byteLength} bytes`,
  })

  let written: RuntimeSnapshot | undefined
  let blogname = ''
  const writtenMs = await timeSamples(config.createSamples, () => source.snapshot(), {
    before: async () => {
      blogname = `bench ${Math.random().toString(36).slice(2, 8)}`
      await source.execute({ command: 'wordpress.option-set', args: { name: 'blogname', value: blogname } })
    },
    after: async (snapshot) => {
      written = snapshot
    },
  })
  results.samples('snapshot-after-write', 'snapshot after one option write', writtenMs, {
    detail: `size ${written!.bytes.byteLength} bytes`,
  })

  const fork = await timeSamples(
    config.createSamples,
    () => createRuntime({ backend, policy: POLICY, from: written! }),
    {
      after: async (runtime, index) => {
        if (index === 0) await expectBlogname(runtime, blogname)
        await runtime.destroy()
      },
    },
  )
  results.samples('fork', 'fork (from snapshot)', fork, { detail: 'snapshot taken after one option write' })

  const pooled = playground({ plugins: [...plugins], pool: { size: 1 } })
  try {
    // The first fork registers the pool's configuration and starts filling it; not timed.
    await destroy(await createRuntime({ backend: pooled, policy: POLICY, from: written! }))
    let notFull = 0
    const forkPool = await timeSamples(
      config.createSamples,
      () => createRuntime({ backend: pooled, policy: POLICY, from: written! }),
      {
        before: async () => {
          if (!(await playgroundPool.whenFull({ timeoutMs: 120_000 }))) notFull++
        },
        after: async (runtime, index) => {
          if (index === 0) await expectBlogname(runtime, blogname)
          await runtime.destroy()
        },
      },
    )
    results.samples('fork-pool', 'fork from a warm pool (size 1)', forkPool, {
      detail: 'playgroundPool.whenFull() before each sample',
    })
    if (notFull > 0) results.note(`fork from pool: the pool was not full before ${notFull} sample(s)`)
  } finally {
    await playgroundPool.drain()
  }
}
