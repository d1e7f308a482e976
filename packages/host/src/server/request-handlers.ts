import { type ForwardedResponse, forwardErrorResponse, forwardToRuntime } from '@codebox/backend-playground'
import type { Runtime } from '@codebox/runtime-core'
import type { FastifyRequest } from 'fastify'
import type { AuditOperation } from '../audit/audit-log.js'
import { ingestMedia } from '../media/ingest-media.js'
import { classifyGraphql, classifyRest } from '../routing/classify-operation.js'
import type { ServeOutcome } from '../tenants/tenant-runtime.js'
import type { RequestPlan } from './request-plan.js'

/** What a handler answers, what the request was (for the audit trail) and, for a failure, a metrics reason. */
export interface HandlerResult {
  readonly response: ForwardedResponse
  readonly operation: AuditOperation
  readonly reason?: string | undefined
}

interface HandlerContext {
  /** `performance.now()` time by which the request must be answered. */
  readonly deadline: number
  /** Fires when the client goes away. */
  readonly signal: AbortSignal
}

/**
 * Request headers passed to WordPress: everything but hop-by-hop headers (dropped by `forwardToRuntime`), cookies
 * (the host authenticates with application passwords only) and the proxy headers a client could forge
 * (`X-Forwarded-*`, `Forwarded`, `X-Real-IP`): WordPress must not build URLs or trust addresses from them.
 */
function forwardedHeaders(headers: FastifyRequest['headers']): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'cookie' || name === 'forwarded' || name === 'x-real-ip' || name.startsWith('x-forwarded-'))
      continue
    out[name] = value
  }
  return out
}

function outcomeResponse<T>(
  outcome: ServeOutcome<T>,
  kind: 'graphql' | 'rest',
): { response: ForwardedResponse; reason: string } | undefined {
  switch (outcome.status) {
    case 'ok':
      return undefined
    case 'busy':
      return {
        response: forwardErrorResponse(
          kind,
          503,
          'codebox_busy',
          'Too many requests are waiting; retry shortly.',
          {
            'retry-after': '1',
          },
        ),
        reason: 'busy',
      }
    case 'timeout':
      return {
        response: forwardErrorResponse(
          kind,
          504,
          'codebox_timeout',
          'The request did not finish within its deadline.',
        ),
        reason: 'timeout',
      }
    case 'unavailable':
      return {
        response: forwardErrorResponse(
          kind,
          503,
          'codebox_unavailable',
          `This site is ${outcome.state}; retry shortly.`,
          {
            'retry-after': '2',
          },
        ),
        reason: `tenant-${outcome.state}`,
      }
  }
}

/**
 * GraphQL and REST: classified (query or mutation, read or write, destructive or not), then forwarded to the
 * tenant's runtime within its limits. An authenticated destructive operation (plugin or theme change, settings in
 * bulk, import) is preceded by an automatic snapshot of the tenant, kept with the tenant's retention count.
 */
export async function handleForward(
  plan: RequestPlan,
  request: FastifyRequest,
  body: Uint8Array | undefined,
  context: HandlerContext,
): Promise<HandlerResult> {
  const { target, tenant } = plan
  if (target.kind !== 'graphql' && target.kind !== 'rest') throw new Error('not a forwarded request')
  const kind = target.kind
  const method = request.method.toUpperCase()
  const operation =
    kind === 'graphql' ? classifyGraphql(method, target.query, body) : classifyRest(method, target.route)
  const authenticated = request.headers.authorization !== undefined
  const outcome = await tenant.serve(async (runtime, remainingMs, signal) => {
    if (operation.destructive && authenticated) await tenant.snapshotBefore(operation.destructive)
    // serve() and forwardToRuntime take any runtime; a Playground runtime's catalogue is a subtype.
    return forwardToRuntime(
      runtime as unknown as Runtime,
      kind,
      { method, path: target.forwardPath, headers: forwardedHeaders(request.headers), body },
      { timeoutMs: Math.max(1, remainingMs), signal },
    )
  }, context)
  const refused = outcomeResponse(outcome, kind)
  if (refused) return { ...refused, operation: operation.operation }
  const response = (outcome as { value: ForwardedResponse }).value
  return {
    response,
    operation: operation.operation,
    reason: response.status >= 500 ? 'runtime-error' : undefined,
  }
}

/** Media ingest: the token was checked before the body was read; type, storage and registration happen here. */
export async function handleMedia(
  plan: RequestPlan,
  request: FastifyRequest,
  body: Uint8Array | undefined,
  context: HandlerContext,
): Promise<HandlerResult> {
  const { tenant } = plan
  const media = tenant.media
  const config = tenant.config.media
  if (!media || !config) throw new Error('media ingest is not configured')
  if (!body || body.byteLength === 0) {
    return {
      response: forwardErrorResponse(
        'rest',
        400,
        'codebox_media_empty',
        'Send the object as the request body.',
      ),
      operation: 'media.ingest',
      reason: 'bad-request',
    }
  }
  const query = request.query as Record<string, string | undefined>
  const outcome = await tenant.serve(
    (runtime, remainingMs, signal) =>
      ingestMedia(
        runtime,
        config,
        media.store,
        { bytes: body, filename: query.filename, title: query.title, alt: query.alt },
        { timeoutMs: remainingMs, signal },
      ),
    context,
  )
  const refused = outcomeResponse(outcome, 'rest')
  if (refused) return { ...refused, operation: 'media.ingest' }
  const result = (outcome as { value: Awaited<ReturnType<typeof ingestMedia>> }).value
  if (result.status === 'unsupported-type') {
    return {
      response: forwardErrorResponse(
        'rest',
        415,
        'codebox_media_type',
        `The object is ${result.detected ?? 'of an unknown type'} by its content; this site accepts ${result.accepted.join(', ')}.`,
      ),
      operation: 'media.ingest',
      reason: 'media-type',
    }
  }
  const text = JSON.stringify({
    id: result.attachmentId,
    url: result.url,
    key: result.key,
    mimeType: result.mimeType,
    bytes: result.bytes,
  })
  return {
    response: {
      status: 201,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
      },
      body: text,
    },
    operation: 'media.ingest',
  }
}
