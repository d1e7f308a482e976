import { playground, playgroundPool } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { POLICY } from './bench-constants.js'
import type { BenchContext } from './bench-context.js'
import { type CodeboxRequest, graphqlRequest, runPhpWordPressRequest } from './codebox-requests.js'
import { timeSamples } from './time-samples.js'
import { destroyRuntime, fillPool } from './warm-create-figures.js'

interface FirstAnswer {
  readonly id: string
  readonly label: string
  readonly request: CodeboxRequest
  readonly detail: string
}

/**
 * `createRuntime()` and then one request, timed together: what a caller waits before WordPress first answers. Run
 * twice per request kind: without a pool (the worker boots on the caller's path) and from a warm pool of one.
 */
export async function measureFirstAnswer({
  config,
  results,
  wpGraphql,
  plugins,
}: BenchContext): Promise<void> {
  const answers: FirstAnswer[] = [
    {
      id: 'create-first-wordpress',
      label: 'create → first WordPress answer',
      request: runPhpWordPressRequest,
      detail: "createRuntime() + one wordpress.run-php with WordPress loaded (get_option('blogname'))",
    },
  ]
  if (wpGraphql.available) {
    answers.push({
      id: 'create-first-graphql',
      label: 'create → first GraphQL answer',
      request: graphqlRequest,
      detail: 'createRuntime() + one nodeByUri query',
    })
  } else {
    results.note(`create → first GraphQL skipped: WPGraphQL is not resolvable (${wpGraphql.reason})`)
  }
  const plain = playground({ plugins: [...plugins] })
  const pooled = playground({ plugins: [...plugins], pool: { size: 1 } })
  // Builds the template (and registers the pool's configuration) if this machine has none yet; not timed.
  await destroyRuntime(await createRuntime({ backend: plain, policy: POLICY }))
  try {
    await destroyRuntime(await createRuntime({ backend: pooled, policy: POLICY }))
    for (const { id, label, request, detail } of answers) {
      for (const [backend, suffix, where, before] of [
        [plain, '', '', undefined],
        [pooled, '-pool', ', warm pool', fillPool],
      ] as const) {
        const samples = await timeSamples(
          config.createSamples,
          async () => {
            const runtime = await createRuntime({ backend, policy: POLICY })
            try {
              await request(runtime)
            } catch (error) {
              await runtime.destroy()
              throw error
            }
            return runtime
          },
          { ...(before ? { before } : {}), after: destroyRuntime },
        )
        results.samples(`${id}${suffix}`, `${label}${where}`, samples, {
          detail: before ? `${detail}; pool of 1, whenFull() before each sample` : detail,
        })
      }
    }
  } finally {
    await playgroundPool.drain()
  }
}
