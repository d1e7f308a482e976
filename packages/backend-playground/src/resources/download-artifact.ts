import { AbortedError } from '@codebox/runtime-core'

/** What a download attempt produced. */
export type DownloadResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly outcome: string; readonly cause?: unknown }

/** Options of {@link downloadArtifact}. */
export interface DownloadArtifactOptions {
  readonly fetch: typeof fetch
  /** Limit for the whole download (connect, headers and body). */
  readonly timeoutMs: number
  /** Refuse bodies larger than this. */
  readonly maxBytes: number
  readonly signal?: AbortSignal | undefined
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed (offline?)',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
}

function describeFailure(error: unknown): string {
  let current: unknown = error
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return `${NETWORK_CODES[code] ?? 'request failed'} (${code})`
    current = current.cause
  }
  return `request failed (${error instanceof Error ? error.message : String(error)})`
}

/**
 * Downloads one URL once — no retries, so an offline machine fails as fast as the connection does. Network
 * failures, HTTP errors and timeouts are returned as `{ ok: false, outcome }`; only the caller's own abort throws.
 *
 * @throws {@link AbortedError} when `signal` aborts.
 */
export async function downloadArtifact(
  url: string,
  options: DownloadArtifactOptions,
): Promise<DownloadResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs)
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
  const aborted = (): boolean => options.signal?.aborted === true
  try {
    const response = await options.fetch(url, { signal, redirect: 'follow' })
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined)
      return {
        ok: false,
        outcome: response.status === 404 ? 'not found (HTTP 404)' : `HTTP ${response.status}`,
      }
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN)
    if (declared > options.maxBytes) {
      await response.body?.cancel().catch(() => undefined)
      return { ok: false, outcome: `too large (${declared} bytes, limit ${options.maxBytes})` }
    }
    const chunks: Uint8Array[] = []
    let size = 0
    if (response.body !== null) {
      for await (const chunk of response.body) {
        size += chunk.byteLength
        if (size > options.maxBytes)
          return { ok: false, outcome: `too large (over ${options.maxBytes} bytes)` }
        chunks.push(chunk)
      }
    }
    const bytes = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.byteLength
    }
    return { ok: true, bytes }
  } catch (error) {
    if (aborted()) throw new AbortedError(`Downloading ${url}`, options.signal?.reason)
    if (timeout.aborted)
      return { ok: false, outcome: `timed out after ${options.timeoutMs} ms`, cause: error }
    return { ok: false, outcome: describeFailure(error), cause: error }
  }
}
