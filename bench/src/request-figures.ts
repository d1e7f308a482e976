import { parsePlaygroundOptions, playground } from '@codebox/backend-playground'
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

/** Whether `playground()` turns OPcache on when the caller says nothing: the setting users get. */
export const OPCACHE_BY_DEFAULT = parsePlaygroundOptions({}).opcache

/**
 * Warm request latency on one runtime: REST, GraphQL and the run-php round trips, each after `warmup` untimed
 * requests. `variant: 'default'` runs on `playground()` as users get it (figure ids `rest`, `graphql`, …; the
 * targets judge these); `'alternate'` flips the OPcache setting (ids suffixed `-opcache` or `-no-opcache`), so the
 * table shows what OPcache is worth.
 */
export async function measureRequestFigures(
  { config, results, wpGraphql, plugins }: BenchContext,
  variant: 'default' | 'alternate',
): Promise<void> {
  const opcache = variant === 'default' ? OPCACHE_BY_DEFAULT : !OPCACHE_BY_DEFAULT
  const suffix = variant === 'default' ? '' : opcache ? '-opcache' : '-no-opcache'
  const setting = `OPcache ${opcache ? 'on' : 'off'}${variant === 'default' ? ' (default)' : ''}`
  const requests: TimedRequest[] = [
    {
      id: `run-php-bare${suffix}`,
      label: "run-php round trip (bootstrap: 'none')",
      request: runPhpBareRequest,
    },
    {
      id: `run-php-wordpress${suffix}`,
      label: 'run-php round trip (with WordPress)',
      request: runPhpWordPressRequest,
    },
    {
      id: `rest${suffix}`,
      label: `REST GET ${REST_ROUTE} warm`,
      request: restRequest,
      detail: 'wordpress.rest-request, anonymous',
    },
  ]
  if (wpGraphql.available) {
    requests.push({
      id: `graphql${suffix}`,
      label: 'GraphQL nodeByUri warm',
      request: graphqlRequest,
      detail: 'wordpress.graphql (POST /graphql through the request handler)',
    })
  } else {
    results.note(`GraphQL warm (${setting}) skipped: WPGraphQL is not resolvable (${wpGraphql.reason})`)
  }

  await using runtime = await createRuntime({
    backend: playground({ plugins: [...plugins], ...(variant === 'default' ? {} : { opcache }) }),
    policy: POLICY,
  })
  for (const { id, label, request, detail } of requests) {
    for (let index = 0; index < config.warmup; index++) await request(runtime)
    const samples = await timeSamples(config.samples, () => request(runtime))
    results.samples(id, `${label}, ${setting}`, samples, {
      detail: detail ? `${detail}; ${setting}` : setting,
    })
  }
}
