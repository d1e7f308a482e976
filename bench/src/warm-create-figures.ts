import { playground, playgroundPool } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { POLICY } from './bench-constants.js'
import type { BenchContext } from './bench-context.js'
import { graphqlRequest, type PlaygroundRuntime } from './codebox-requests.js'
import { timeSamples } from './time-samples.js'

/** Warm create (template cached on disk) and create → first GraphQL answer, on the default cache. */
export async function measureWarmCreate({
  config,
  results,
  wpGraphql,
  plugins,
}: BenchContext): Promise<void> {
  const backend = playground({ plugins: [...plugins] })
  const destroy = (runtime: PlaygroundRuntime) => runtime.destroy()
  // Builds the template in the default cache if this machine has none yet; not timed.
  await destroy(await createRuntime({ backend, policy: POLICY }))

  const warm = await timeSamples(config.createSamples, () => createRuntime({ backend, policy: POLICY }), {
    after: destroy,
  })
  results.samples('warm-create', 'warm create', warm, { detail: `plugins: ${plugins.join(', ') || 'none'}` })

  if (!wpGraphql.available) {
    results.note(`create → first GraphQL skipped: WPGraphQL is not resolvable (${wpGraphql.reason})`)
    return
  }
  const first = await timeSamples(
    config.createSamples,
    async () => {
      const runtime = await createRuntime({ backend, policy: POLICY })
      try {
        await graphqlRequest(runtime)
      } catch (error) {
        await runtime.destroy()
        throw error
      }
      return runtime
    },
    { after: destroy },
  )
  results.samples('create-first-graphql', 'create → first GraphQL answer', first, {
    detail: 'createRuntime() + one nodeByUri query',
  })

  // The same from a warm pool (`pool: { size: 1 }`): workers are booted and warmed with real requests before a
  // create takes one, so neither the boot nor a new thread's cold first request is on the caller's path.
  const pooled = playground({ plugins: [...plugins], pool: { size: 1 } })
  try {
    await destroy(await createRuntime({ backend: pooled, policy: POLICY }))
    const fillPool = async () => {
      await playgroundPool.whenFull({ timeoutMs: 120_000 })
    }
    const pooledCreate = await timeSamples(
      config.createSamples,
      () => createRuntime({ backend: pooled, policy: POLICY }),
      {
        before: fillPool,
        after: destroy,
      },
    )
    results.samples('warm-create-pool', 'warm create from a warm pool (size 1)', pooledCreate, {
      detail: 'playgroundPool.whenFull() before each sample',
    })
    const pooledFirst = await timeSamples(
      config.createSamples,
      async () => {
        const runtime = await createRuntime({ backend: pooled, policy: POLICY })
        await graphqlRequest(runtime)
        return runtime
      },
      { before: fillPool, after: destroy },
    )
    results.samples('create-first-graphql-pool', 'create → first GraphQL answer, warm pool', pooledFirst, {
      detail: 'pool of 1, whenFull() before each sample',
    })
  } finally {
    await playgroundPool.drain()
  }
}
