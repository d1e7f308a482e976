import type { IncomingMessage } from 'node:http'
import { bearerTokenOf, tokenMatches } from '../media/bearer-token.js'
import type { MetricRoute } from '../metrics/host-metrics.js'
import { hostNameOf } from '../routing/host-header.js'
import { classifyRequestTarget, type RequestTarget } from '../routing/request-target.js'
import type { TenantRuntime } from '../tenants/tenant-runtime.js'
import type { TenantSet } from '../tenants/tenant-set.js'

/** A request the host will serve: its tenant, where it goes and how large its body may be. */
export interface RequestPlan {
  readonly tenant: TenantRuntime
  readonly target: Exclude<RequestTarget, { kind: 'bad' } | { kind: 'not-served' }>
  readonly route: MetricRoute
  readonly maxBodyBytes: number
}

/** A request the host refuses before reading its body. */
export interface Refusal {
  readonly status: number
  readonly code: string
  readonly message: string
  /** The tenant, when one was resolved (for metrics and the audit trail). */
  readonly tenant: TenantRuntime | undefined
  readonly reason: string
  readonly route: MetricRoute
  readonly headers?: Readonly<Record<string, string>>
}

const REST_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])

/**
 * Decides, from the request line and headers alone, which tenant serves a request and how, or why it is refused:
 * 400 for a missing, duplicated or malformed `Host` or a request target the host will not interpret, 421 for a host
 * name no tenant has, 404 for paths other than `/graphql`, `/wp-json/*` and `/_codebox/media`, 405 for other methods,
 * 401 for media ingest without the tenant's token, 413 for a GraphQL query string over the tenant's limit.
 */
export function planRequest(request: IncomingMessage, tenants: TenantSet): RequestPlan | Refusal {
  const host = hostNameOf(request.rawHeaders)
  const refuse = (
    status: number,
    code: string,
    message: string,
    reason: string,
    tenant: TenantRuntime | undefined = undefined,
    route: MetricRoute = 'other',
    headers: Record<string, string> = {},
  ): Refusal => ({ status, code, message, reason, tenant, route, headers })
  if (!host.ok) {
    return refuse(400, 'codebox_bad_host', `The request has a ${host.reason} Host header.`, 'bad-host')
  }
  const tenant = tenants.byDomain(host.hostname)
  if (!tenant) {
    return refuse(421, 'codebox_misdirected', 'This host serves no site by that name.', 'misdirected')
  }
  const target = classifyRequestTarget(request.url ?? '')
  if (target.kind === 'bad') return refuse(400, 'codebox_bad_target', target.reason, 'bad-target', tenant)
  if (target.kind === 'not-served') {
    return refuse(404, 'codebox_not_served', 'Only /graphql and /wp-json/ are served.', 'not-served', tenant)
  }
  const method = (request.method ?? 'GET').toUpperCase()
  if (target.kind === 'graphql') {
    if (method !== 'GET' && method !== 'POST') {
      return refuse(405, 'METHOD_NOT_ALLOWED', 'Use GET or POST for /graphql.', 'method', tenant, 'graphql', {
        allow: 'GET, POST',
      })
    }
    const limit = tenant.config.graphql.maxBodyBytes
    if (Buffer.byteLength(target.query) > limit) {
      return refuse(
        413,
        'CODEBOX_BODY_TOO_LARGE',
        `The query string exceeds ${limit} bytes.`,
        'too-large',
        tenant,
        'graphql',
      )
    }
    return { tenant, target, route: 'graphql', maxBodyBytes: limit }
  }
  if (target.kind === 'rest') {
    if (!REST_METHODS.has(method)) {
      return refuse(405, 'METHOD_NOT_ALLOWED', `Method ${method} is not served.`, 'method', tenant, 'rest')
    }
    return { tenant, target, route: 'rest', maxBodyBytes: tenant.config.limits.maxBodyBytes }
  }
  if (!tenant.media)
    return refuse(404, 'codebox_not_served', 'This site has no media ingest.', 'not-served', tenant)
  if (method !== 'POST') {
    return refuse(405, 'METHOD_NOT_ALLOWED', 'Use POST for media ingest.', 'method', tenant, 'media', {
      allow: 'POST',
    })
  }
  if (tenant.media.token === undefined) {
    return refuse(
      503,
      'codebox_media_unavailable',
      'Media ingest is not configured on this host (its token variable is unset).',
      'media-token-unset',
      tenant,
      'media',
    )
  }
  if (!tokenMatches(bearerTokenOf(request.headers.authorization), tenant.media.token)) {
    return refuse(
      401,
      'codebox_unauthorized',
      'Media ingest needs this site’s bearer token.',
      'unauthorized',
      tenant,
      'media',
      {
        'www-authenticate': 'Bearer',
      },
    )
  }
  return { tenant, target, route: 'media', maxBodyBytes: tenant.config.media?.maxBytes ?? 0 }
}

/** Whether a plan (not a refusal). */
export function isPlan(value: RequestPlan | Refusal): value is RequestPlan {
  return 'target' in value
}
