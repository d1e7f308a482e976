import { request as httpRequest } from 'node:http'

/** One answered request. */
export interface HostResponse {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly text: string
  json<T = unknown>(): T
}

/** Options of {@link hostRequest}. */
export interface HostRequestOptions {
  /** The `Host` header (fetch cannot set it; this helper can). */
  readonly host: string
  readonly method?: string
  readonly path: string
  readonly headers?: Record<string, string>
  /** Raw header lines, for duplicate headers (sent as given, after `headers`). */
  readonly rawHeaders?: readonly [string, string][]
  readonly body?: string | Uint8Array
}

/** Sends one request to the host's tenant listener with an explicit `Host` header. */
export function hostRequest(baseUrl: string, options: HostRequestOptions): Promise<HostResponse> {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        setHost: false,
        headers: [
          'host',
          options.host,
          ...Object.entries(options.headers ?? {}).flat(),
          ...(options.rawHeaders ?? []).flat(),
          ...(options.body === undefined ? [] : ['content-length', String(Buffer.byteLength(options.body))]),
        ],
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          })
        })
        response.on('error', reject)
      },
    )
    request.on('error', reject)
    request.end(options.body)
  })
}

/** `Authorization: Basic …` for an application password. */
export function basicAuth(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`
}
