import { playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { POLICY } from './bench-constants.js'
import type { BenchContext } from './bench-context.js'
import { graphqlRequest, type PlaygroundRuntime, restRequest } from './codebox-requests.js'

const PARALLELISM = [1, 2, 4] as const

/**
 * Requests per second with N = 1, 2, 4 runtimes working at once, each sending a fixed number of requests one after
 * another (GraphQL when WPGraphQL is there, else REST); also the N=2 / N=1 ratio.
 */
export async function measureThroughput({
  config,
  results,
  wpGraphql,
  plugins,
}: BenchContext): Promise<void> {
  const request = wpGraphql.available ? graphqlRequest : restRequest
  const kind = wpGraphql.available ? 'GraphQL nodeByUri' : 'REST GET /wp/v2/posts'
  const backend = playground({ plugins: [...plugins] })
  const runtimes: PlaygroundRuntime[] = []
  try {
    for (let index = 0; index < Math.max(...PARALLELISM); index++) {
      const runtime = await createRuntime({ backend, policy: POLICY })
      runtimes.push(runtime)
      for (let warm = 0; warm < Math.max(1, config.warmup); warm++) await request(runtime)
    }
    const perSecond = new Map<number, number>()
    for (const n of PARALLELISM) {
      const started = performance.now()
      await Promise.all(
        runtimes.slice(0, n).map(async (runtime) => {
          for (let index = 0; index < config.requestsPerRuntime; index++) await request(runtime)
        }),
      )
      const seconds = (performance.now() - started) / 1000
      const rate = (n * config.requestsPerRuntime) / seconds
      perSecond.set(n, rate)
      results.value(`throughput-n${n}`, `throughput, N=${n} runtimes`, rate, 'req/s', {
        detail: `${config.requestsPerRuntime} ${kind} requests per runtime, ${seconds.toFixed(2)} s`,
      })
    }
    results.value('throughput-scaling', 'throughput N=2 / N=1', perSecond.get(2)! / perSecond.get(1)!, '×', {
      detail: `N=4 / N=1 = ${(perSecond.get(4)! / perSecond.get(1)!).toFixed(2)}×`,
    })
    // More runtimes than cores must not lose throughput (thrashing, a shared lock): N=4 at least N=2's rate.
    results.value('throughput-n4-over-n2', 'throughput N=4 / N=2', perSecond.get(4)! / perSecond.get(2)!, '×')
  } finally {
    await Promise.all(runtimes.map((runtime) => runtime.destroy()))
  }
}
