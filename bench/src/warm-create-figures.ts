import { playground, playgroundPool } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { POLICY } from './bench-constants.js'
import type { BenchContext } from './bench-context.js'
import type { PlaygroundRuntime } from './codebox-requests.js'
import { timeSamples } from './time-samples.js'

/** Destroys a runtime a sample made. */
export const destroyRuntime = (runtime: PlaygroundRuntime): Promise<void> => runtime.destroy()

/** Waits until every pool configuration is full again, so a sample times a hand-out, not a boot. */
export async function fillPool(): Promise<void> {
  await playgroundPool.whenFull({ timeoutMs: 120_000 })
}

/** Warm create (template cached on disk) and the same from a warm pool of one, on the default cache. */
export async function measureWarmCreate({ config, results, plugins }: BenchContext): Promise<void> {
  const backend = playground({ plugins: [...plugins] })
  // Builds the template in the default cache if this machine has none yet; not timed.
  await destroyRuntime(await createRuntime({ backend, policy: POLICY }))
  const warm = await timeSamples(config.createSamples, () => createRuntime({ backend, policy: POLICY }), {
    after: destroyRuntime,
  })
  results.samples('warm-create', 'warm create', warm, { detail: `plugins: ${plugins.join(', ') || 'none'}` })

  // `pool: { size: 1 }`: workers are booted and warmed with real requests before a create takes one.
  const pooled = playground({ plugins: [...plugins], pool: { size: 1 } })
  try {
    await destroyRuntime(await createRuntime({ backend: pooled, policy: POLICY }))
    const pooledCreate = await timeSamples(
      config.createSamples,
      () => createRuntime({ backend: pooled, policy: POLICY }),
      { before: fillPool, after: destroyRuntime },
    )
    results.samples('warm-create-pool', 'warm create from a warm pool (size 1)', pooledCreate, {
      detail: 'playgroundPool.whenFull() before each sample',
    })
  } finally {
    await playgroundPool.drain()
  }
}
