import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { isIP } from 'node:net'
import type { Runtime } from '@codebox/runtime-core'
import { BackendPlaygroundError } from '../errors.js'
import { bodyTooLargeResponse } from '../headless/graphql-guardrails-options.js'
import { type ForwardKind, forwardErrorBody, forwardToRuntime } from './forward-request.js'

/** Options of {@link serve}. */
export interface ServeOptions {
  /** TCP port. Default 0: an ephemeral port, read it from the returned `url`. */
  readonly port?: number
  /** Loopback address to listen on: `127.0.0.1` (default), another `127.x.x.x`, `::1` or `localhost`. */
  readonly host?: string
  /**
   * Largest request body (and, for `GET /graphql`, query string) forwarded to the runtime, in bytes; larger requests
   * are answered 413 without reaching PHP. Default 64 KiB, the runtime's default `graphql.maxBodyBytes` (which
   * WordPress enforces again with the runtime's own setting).
   */
  readonly maxBodyBytes?: number
  /** Requests forwarded to the runtime at once; the runtime's PHP runs one at a time, so more only wait. Default 2. */
  readonly maxConcurrent?: number
  /** Requests allowed to wait for a slot; beyond that the server answers 503 with `Retry-After`. Default 64. */
  readonly maxQueued?: number
  /** Deadline per request from its arrival, queueing included, in milliseconds; then 504. Default 30 000. */
  readonly requestTimeoutMs?: number
}

/** A running loopback server; `close()` is idempotent and also runs on `await using`. */
export interface ServeHandle extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:53211`; GraphQL is at `${url}/graphql`, REST at `${url}/wp-json/`. */
  readonly url: string
  /** Stops accepting connections, ends open ones and waits for the server to close. */
  close(): Promise<void>
}

/** `serve()` was given options it cannot honour (a non-loopback host, a bad port). */
export class ServeError extends BackendPlaygroundError {}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  if (isIP(bare) === 4) return bare.startsWith('127.')
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1'
  return false
}

/** A counting semaphore with a bounded wait list. */
class Slots {
  #free: number
  readonly #waiting: (() => void)[] = []
  readonly #maxQueued: number

  constructor(size: number, maxQueued: number) {
    this.#free = size
    this.#maxQueued = maxQueued
  }

  /** Resolves with a release function, or with undefined at once when the wait list is full. */
  acquire(signal: AbortSignal): Promise<(() => void) | undefined> {
    const release = () => {
      const next = this.#waiting.shift()
      if (next) next()
      else this.#free++
    }
    if (this.#free > 0) {
      this.#free--
      return Promise.resolve(release)
    }
    if (this.#waiting.length >= this.#maxQueued) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', drop)
        resolve(release)
      }
      const drop = () => {
        const index = this.#waiting.indexOf(grant)
        if (index >= 0) this.#waiting.splice(index, 1)
        resolve(undefined)
      }
      this.#waiting.push(grant)
      signal.addEventListener('abort', drop, { once: true })
    })
  }
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  response.end(text)
}

/** Reads the body, or returns undefined as soon as it exceeds `maxBytes`. */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0)
    if (declared > maxBytes) {
      resolve(undefined)
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > maxBytes) {
        request.removeAllListeners('data')
        request.resume()
        resolve(undefined)
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

/**
 * Serves a runtime's `/graphql` (GET and POST) and `/wp-json/*` over HTTP on a loopback address, for headless
 * front ends and tools that expect a real endpoint. Every request goes through `runtime.execute()` as
 * `wordpress.http-request`, so the runtime's policy (the command must be allowed), events and history apply.
 *
 * Guardrails: bodies (and GET query strings) over `maxBodyBytes` are refused with 413 before reaching PHP; at most
 * `maxConcurrent` requests are forwarded at once and `maxQueued` wait (then 503); each request has a deadline
 * (`requestTimeoutMs`, then 504; a PHP request still running is stopped). PHP runs on the runtime's worker thread, so
 * the host event loop stays free. Other paths answer 404. Errors use the endpoint's shape: GraphQL `{ errors }` or
 * WordPress REST `{ code, message, data: { status } }`.
 *
 * @throws {@link ServeError} `SERVE_HOST_NOT_LOOPBACK` for a host that is not a loopback address, `SERVE_OPTIONS_INVALID`
 *   for a bad port or limit; `SERVE_LISTEN_FAILED` when the port cannot be bound.
 *
 * @example
 * await using server = await serve(runtime)
 * const response = await fetch(`${server.url}/graphql`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ query: '{ generalSettings { title } }' }),
 * })
 */
export async function serve(runtime: Runtime, options: ServeOptions = {}): Promise<ServeHandle> {
  const host = options.host ?? '127.0.0.1'
  if (!isLoopback(host)) {
    throw new ServeError(
      'SERVE_HOST_NOT_LOOPBACK',
      `serve() listens on loopback only; ${JSON.stringify(host)} is not a loopback address. Use 127.0.0.1, ::1 or localhost, and put a reverse proxy in front if the endpoint must be reachable from elsewhere.`,
      { details: { host } },
    )
  }
  const port = options.port ?? 0
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024
  const maxConcurrent = options.maxConcurrent ?? 2
  const maxQueued = options.maxQueued ?? 64
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000
  for (const [name, value, min] of [
    ['port', port, 0],
    ['maxBodyBytes', maxBodyBytes, 1],
    ['maxConcurrent', maxConcurrent, 1],
    ['maxQueued', maxQueued, 0],
    ['requestTimeoutMs', requestTimeoutMs, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min || (name === 'port' && value > 65535)) {
      throw new ServeError(
        'SERVE_OPTIONS_INVALID',
        `serve(): ${name} must be an integer ≥ ${min}, got ${value}`,
        {
          details: { option: name },
        },
      )
    }
  }
  const slots = new Slots(maxConcurrent, maxQueued)

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://codebox.invalid')
    const method = (request.method ?? 'GET').toUpperCase()
    const kind: ForwardKind | undefined =
      url.pathname === '/graphql' || url.pathname === '/graphql/'
        ? 'graphql'
        : url.pathname === '/wp-json' || url.pathname.startsWith('/wp-json/')
          ? 'rest'
          : undefined
    if (!kind) {
      request.resume()
      sendJson(response, 404, {
        code: 'codebox_not_served',
        message: 'Only /graphql and /wp-json/ are served.',
        data: { status: 404 },
      })
      return
    }
    if (kind === 'graphql' && method !== 'GET' && method !== 'POST') {
      request.resume()
      sendJson(
        response,
        405,
        forwardErrorBody(kind, 405, 'METHOD_NOT_ALLOWED', 'Use GET or POST for /graphql.'),
        {
          allow: 'GET, POST',
        },
      )
      return
    }
    if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].includes(method)) {
      request.resume()
      sendJson(
        response,
        405,
        forwardErrorBody(kind, 405, 'METHOD_NOT_ALLOWED', `Method ${method} is not served.`),
      )
      return
    }
    const queryBytes = Buffer.byteLength(url.search)
    const body = await readBody(request, maxBodyBytes)
    if (body === undefined || (method === 'GET' && kind === 'graphql' && queryBytes > maxBodyBytes)) {
      const bytes =
        body === undefined ? Number(request.headers['content-length'] ?? maxBodyBytes + 1) : queryBytes
      response.setHeader('connection', 'close')
      sendJson(
        response,
        413,
        kind === 'graphql'
          ? bodyTooLargeResponse(bytes, maxBodyBytes)
          : forwardErrorBody(
              kind,
              413,
              'codebox_body_too_large',
              `The request body exceeds ${maxBodyBytes} bytes.`,
            ),
      )
      return
    }

    // The deadline stops the request wherever it is. A client that hangs up only stops its wait for a slot: a
    // request already in PHP runs to its end, because aborting it restarts the runtime's worker (seconds of CPU and a
    // cold next request), which any client could otherwise force by hanging up.
    const controller = new AbortController()
    const deadline = setTimeout(() => controller.abort(), requestTimeoutMs)
    const gone = new AbortController()
    const onClose = () => {
      if (!response.writableFinished) gone.abort()
    }
    response.on('close', onClose)
    const arrived = performance.now()
    try {
      const release = await slots.acquire(AbortSignal.any([controller.signal, gone.signal]))
      if (!release) {
        if (controller.signal.aborted && !response.destroyed) {
          sendJson(
            response,
            504,
            forwardErrorBody(kind, 504, 'codebox_timeout', 'The request waited too long for the runtime.'),
          )
        } else {
          sendJson(
            response,
            503,
            forwardErrorBody(kind, 503, 'codebox_busy', 'Too many requests are waiting; retry shortly.'),
            {
              'retry-after': '1',
            },
          )
        }
        return
      }
      try {
        if (gone.signal.aborted) return
        const remaining = Math.max(1, Math.round(requestTimeoutMs - (performance.now() - arrived)))
        const forwarded = await forwardToRuntime(
          runtime,
          kind,
          { method, path: `${url.pathname}${url.search}`, headers: request.headers, body },
          { timeoutMs: remaining, signal: controller.signal },
        )
        if (!response.destroyed) {
          response.writeHead(forwarded.status, forwarded.headers)
          response.end(method === 'HEAD' ? undefined : forwarded.body)
        }
      } finally {
        release()
      }
    } finally {
      clearTimeout(deadline)
      response.off('close', onClose)
    }
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error)
      sendJson(response, 503, { code: 'codebox_runtime_unavailable', message, data: { status: 503 } })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new ServeError(
          'SERVE_LISTEN_FAILED',
          `serve() could not listen on ${host}:${port}: ${error.message}`,
          {
            cause: error,
            details: { host, port },
          },
        ),
      ),
    )
    server.listen(port, host, () => resolve())
  })
  const address = server.address()
  const boundPort = typeof address === 'object' && address ? address.port : port
  const urlHost = isIP(host) === 6 ? `[${host}]` : host
  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
    return closing
  }
  return { url: `http://${urlHost}:${boundPort}`, close, [Symbol.asyncDispose]: close }
}
