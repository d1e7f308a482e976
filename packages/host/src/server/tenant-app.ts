import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import { bodyTooLargeResponse, forwardErrorResponse } from '@codebox/backend-playground'
import type { Logger } from '@codebox/runtime-core'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { AuditOperation } from '../audit/audit-log.js'
import type { HostMetrics } from '../metrics/host-metrics.js'
import type { TenantSet } from '../tenants/tenant-set.js'
import { BodyTooLargeError, readLimitedBody } from './read-limited-body.js'
import { type HandlerResult, handleForward, handleMedia } from './request-handlers.js'
import { isPlan, planRequest, type Refusal, type RequestPlan } from './request-plan.js'

/** HTTP limits of the tenant listener. */
export interface HttpLimits {
  /** Largest request head (request line and headers), in bytes. Default 16 KiB. */
  readonly maxHeaderBytes: number
  /** A client must send the whole request head within this time, in milliseconds. Default 10 000. */
  readonly headersTimeoutMs: number
  /** A client must send the whole request (head and body) within this time, in milliseconds. Default 30 000. */
  readonly bodyTimeoutMs: number
  /** Idle keep-alive connections close after this time, in milliseconds. Default 5 000. */
  readonly keepAliveTimeoutMs: number
}

/** Default {@link HttpLimits}. */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
}

interface RequestState {
  readonly id: string
  readonly arrived: number
  readonly time: string
  readonly plan: RequestPlan | undefined
  refusal: Refusal | undefined
  operation: AuditOperation | undefined
}

const JSON_TYPE = 'application/json; charset=utf-8'

/** The route as the audit trail records it: never a query string. */
function auditRoute(state: RequestState): string {
  const target = state.plan?.target
  if (target?.kind === 'rest') return target.route.slice(0, 200)
  if (target?.kind === 'media') return '/_codebox/media'
  if (target?.kind === 'graphql') return '/graphql'
  return `(refused: ${state.refusal?.reason ?? 'unknown'})`
}

function refusalBody(refusal: Refusal): { body: string; headers: Record<string, string> } {
  const kind = refusal.route === 'graphql' ? 'graphql' : 'rest'
  const response =
    refusal.status === 413 && kind === 'graphql'
      ? {
          body: JSON.stringify(
            bodyTooLargeResponse(
              refusal.tenant?.config.graphql.maxBodyBytes ?? 0,
              refusal.tenant?.config.graphql.maxBodyBytes ?? 0,
            ),
          ),
          headers: {},
        }
      : forwardErrorResponse(kind, refusal.status, refusal.code, refusal.message)
  return { body: response.body, headers: { ...response.headers, ...(refusal.headers ?? {}) } }
}

/**
 * The tenant listener: a fastify app whose every request is planned from its `Host` and raw request target
 * ({@link planRequest}) before its body is read, then served by the tenant's runtime within the tenant's limits.
 * Each answered request is counted in the metrics and written to its tenant's audit trail.
 */
export function createTenantApp(
  tenants: TenantSet,
  metrics: HostMetrics,
  limits: HttpLimits,
  logger: Logger,
): FastifyInstance {
  const states = new WeakMap<IncomingMessage, RequestState>()
  const app = Fastify({
    logger: false,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    // Tenant bodies are bounded per tenant by the parser below; this is only the outer cap.
    bodyLimit: 1024 * 1024 * 1024,
    serverFactory: (handler) =>
      createServer(
        {
          maxHeaderSize: limits.maxHeaderBytes,
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.bodyTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          // How often Node checks the two timeouts above; its default (30 s) would let slow clients linger.
          connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
        },
        handler,
      ),
  })

  const refuse = (reply: FastifyReply, refusal: Refusal): FastifyReply => {
    const state = states.get(reply.request.raw)
    if (state) state.refusal = refusal
    metrics.error(refusal.tenant?.id ?? '', refusal.reason)
    const { body, headers } = refusalBody(refusal)
    if (refusal.status === 400 || refusal.status === 413) reply.header('connection', 'close')
    return reply.code(refusal.status).headers(headers).send(body)
  }

  app.addHook('onRequest', async (request, reply) => {
    const plan = planRequest(request.raw, tenants)
    const state: RequestState = {
      id: randomUUID(),
      arrived: performance.now(),
      time: new Date().toISOString(),
      plan: isPlan(plan) ? plan : undefined,
      refusal: undefined,
      operation: undefined,
    }
    states.set(request.raw, state)
    reply.header('x-request-id', state.id)
    if (!isPlan(plan)) return refuse(reply, plan)
  })

  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (request: FastifyRequest, payload, done) => {
    const state = states.get(request.raw)
    readLimitedBody(payload, request.headers['content-length'], state?.plan?.maxBodyBytes ?? 0).then(
      (body) => done(null, body),
      (error: Error) => done(error, undefined),
    )
  })

  app.setErrorHandler((error, request, reply) => {
    const state = states.get(request.raw)
    const plan = state?.plan
    if (error instanceof BodyTooLargeError && plan) {
      const refusal: Refusal = {
        status: 413,
        code: plan.route === 'graphql' ? 'CODEBOX_BODY_TOO_LARGE' : 'codebox_body_too_large',
        message: error.message,
        tenant: plan.tenant,
        reason: 'too-large',
        route: plan.route,
      }
      if (plan.route === 'graphql') {
        metrics.error(plan.tenant.id, 'too-large')
        if (state) state.refusal = refusal
        return reply
          .code(413)
          .header('connection', 'close')
          .type(JSON_TYPE)
          .send(JSON.stringify(bodyTooLargeResponse(error.bytes, error.maxBytes)))
      }
      return refuse(reply, refusal)
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500
    // Node's own refusals (e.g. a malformed body) keep their 4xx; anything else is the host's fault and says so.
    logger.error?.(`request ${state?.id ?? '?'} failed: ${(error as Error).message}`)
    metrics.error(plan?.tenant.id ?? '', status >= 500 ? 'host-error' : 'bad-request')
    const kind = plan?.route === 'graphql' ? 'graphql' : 'rest'
    const response = forwardErrorResponse(
      kind,
      status,
      status >= 500 ? 'codebox_host_error' : 'codebox_bad_request',
      status >= 500 ? 'The host could not serve this request.' : (error as Error).message,
    )
    return reply.code(status).headers(response.headers).send(response.body)
  })

  app.all('*', async (request, reply) => {
    const state = states.get(request.raw) as RequestState
    const plan = state.plan as RequestPlan
    const controller = new AbortController()
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort()
    })
    const body = request.body instanceof Uint8Array ? request.body : undefined
    const context = {
      deadline: state.arrived + plan.tenant.config.limits.requestTimeoutMs,
      signal: controller.signal,
    }
    const result: HandlerResult =
      plan.route === 'media'
        ? await handleMedia(plan, request, body, context)
        : await handleForward(plan, request, body, context)
    state.operation = result.operation
    if (result.reason) metrics.error(plan.tenant.id, result.reason)
    reply.code(result.response.status).headers(result.response.headers)
    return reply.send(request.method === 'HEAD' ? undefined : result.response.body)
  })

  app.addHook('onResponse', async (request, reply) => {
    const state = states.get(request.raw)
    const tenant = state?.plan?.tenant ?? state?.refusal?.tenant
    if (!state || !tenant) return
    const seconds = (performance.now() - state.arrived) / 1000
    const route = state.plan?.route ?? state.refusal?.route ?? 'other'
    metrics.request(tenant.id, route, reply.statusCode, seconds)
    tenant.audit.write({
      time: state.time,
      requestId: state.id,
      tenant: tenant.id,
      operation:
        state.operation ??
        (route === 'media' ? 'media.ingest' : route === 'graphql' ? 'graphql.query' : 'rest.read'),
      method: request.method,
      route: auditRoute(state),
      status: reply.statusCode,
      durationMs: Math.round(seconds * 1000),
      authenticated: request.headers.authorization !== undefined,
    })
  })

  return app
}
