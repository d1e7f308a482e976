import type { CommandResult, Runtime } from '@codebox/runtime-core'

/** Headers that describe one hop (or that the forwarder sets itself): never passed on in either direction. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-connection',
  'host',
  'content-length',
])

/** The endpoint a request was for: its error bodies take that endpoint's shape. */
export type ForwardKind = 'graphql' | 'rest'

/** One HTTP request to hand to a runtime's WordPress. */
export interface ForwardRequest {
  readonly method: string
  /** Path and query string as WordPress should see them, e.g. `/graphql` or `/index.php?rest_route=/wp/v2/posts`. */
  readonly path: string
  /** Request headers as Node gives them; hop-by-hop ones (and `host`) are dropped here. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** The body, if any. */
  readonly body?: Uint8Array | undefined
}

/** What to send back: a status, headers (hop-by-hop ones removed, `content-length` set) and a body. */
export interface ForwardedResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** An error body in the shape the client of that endpoint expects: GraphQL `{ errors }` or WordPress REST. */
export function forwardErrorBody(kind: ForwardKind, status: number, code: string, message: string): unknown {
  return kind === 'graphql'
    ? { errors: [{ message, extensions: { code } }] }
    : { code, message, data: { status } }
}

/** A JSON response with the endpoint's error shape. */
export function forwardErrorResponse(
  kind: ForwardKind,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): ForwardedResponse {
  const body = JSON.stringify(forwardErrorBody(kind, status, code, message))
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    },
    body,
  }
}

/**
 * Sends one request through `runtime.execute()` as `wordpress.http-request` (so the runtime's policy, events and
 * history apply) and maps the outcome to a response: WordPress's own answer, or 504 for a deadline or abort, 403
 * for a denied command, 502 otherwise. Used by `serve()` and by hosts that put several runtimes behind one server.
 */
export async function forwardToRuntime(
  runtime: Runtime,
  kind: ForwardKind,
  request: ForwardRequest,
  options: { readonly timeoutMs: number; readonly signal: AbortSignal },
): Promise<ForwardedResponse> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue
    headers[name] = typeof value === 'string' ? value : value.join(', ')
  }
  const body = request.body
  const result = (await runtime.execute({
    command: 'wordpress.http-request',
    args: {
      method: request.method,
      path: request.path,
      headers,
      ...(body && body.byteLength > 0 ? { body: Buffer.from(body).toString('utf8') } : {}),
    },
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  })) as CommandResult<{ status: number; headers: Record<string, string>; body: string }>
  if (result.status === 'ok') {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(result.value.headers)) {
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') out[name] = value
    }
    out['content-length'] = String(Buffer.byteLength(result.value.body))
    return { status: result.value.status, headers: out, body: result.value.body }
  }
  const status =
    result.status === 'timed-out' || result.status === 'aborted'
      ? 504
      : result.status === 'denied'
        ? 403
        : 502
  return forwardErrorResponse(kind, status, result.code ?? `codebox_${result.status}`, result.message)
}
