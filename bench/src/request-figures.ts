import { playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { POLICY, REST_ROUTE } from './bench-constants.js'
import type { BenchContext } from './bench-context.js'
import {
  type CodeboxRequest,
  graphqlRequest,
  restRequest,
  runPhpBareRequest,
  runPhpWordPressRequest,
} from './codebox-requests.js'
import { timeSamples } from './time-samples.js'

interface TimedRequest {
  readonly id: string
  readonly label: string
  readonly request: CodeboxRequest
  readonly detail?: string
}

/**
 * Warm request latency on one runtime: REST and GraphQL (and, without OPcache, the run-php round trips), each
 * after `warmup` untimed requests. `opcache: true` runs the same on a backend with in-memory OPcache.
 */
export async function measureRequestFigures(
  { config, results, wpGraphql, plugins }: BenchContext,
  options: { readonly opcache: boolean },
): Promise<void> {
  const suffix = options.opcache ? '-opcache' : ''
  const variant = options.opcache ? ', OPcache' : ''
  const requests: TimedRequest[] = []
  if (!options.opcache) {
    requests.push(
      { id: 'run-php-bare', label: "run-php round trip (bootstrap: 'none')", request: runPhpBareRequest },
      {
        id: 'run-php-wordpress',
        label: 'run-php round trip (with WordPress)',
        request: runPhpWordPressRequest,
      },
    )
  }
  requests.push({
    id: `rest${suffix}`,
    label: `REST GET ${REST_ROUTE} warm${variant}`,
    request: restRequest,
    detail: 'wordpress.rest-request, anonymous',
  })
  if (wpGraphql.available) {
    requests.push({
      id: `graphql${suffix}`,
      label: `GraphQL nodeByUri warm${variant}`,
      request: graphqlRequest,
      detail: 'wordpress.graphql (POST /graphql through the request handler)',
    })
  } else {
    results.note(`GraphQL warm${variant} skipped: WPGraphQL is not resolvable (${wpGraphql.reason})`)
  }

  await using runtime = await createRuntime({
    backend: playground({ plugins: [...plugins], opcache: options.opcache }),
    policy: POLICY,
  })
  for (const { id, label, request, detail } of requests) {
    for (let index = 0; index < config.warmup; index++) await request(runtime)
    const samples = await timeSamples(config.samples, () => request(runtime))
    results.samples(id, label, samples, detail ? { detail } : {})
  }
}
