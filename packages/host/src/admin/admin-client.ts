import { request } from 'node:http'
import { HostError } from '../host-error.js'
import { adminSocketPath } from './admin-socket.js'

/**
 * Calls a running host's admin socket in `dataDir`. Resolves to undefined when no host answers there (no socket, or
 * a stale one left by a killed host), so the caller can do the work offline instead.
 *
 * @throws {@link HostError} carrying the host's error code when the host answered with an error.
 */
export function callRunningHost<T>(
  dataDir: string,
  route: string,
  body: Record<string, unknown>,
  timeoutMs = 600_000,
): Promise<T | undefined> {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const call = request(
      {
        socketPath: adminSocketPath(dataDir),
        path: route,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          let parsed: { error?: { code: string; message: string; details?: Record<string, unknown> } }
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'))
          } catch {
            reject(
              new HostError(
                'HOST_ADMIN_FAILED',
                `The running host answered HTTP ${response.statusCode} without JSON.`,
              ),
            )
            return
          }
          if ((response.statusCode ?? 500) >= 400) {
            const error = parsed.error ?? {
              code: 'HOST_ADMIN_FAILED',
              message: `HTTP ${response.statusCode}`,
            }
            reject(new HostError(error.code, error.message, { details: error.details ?? {} }))
          } else resolve(parsed as T)
        })
      },
    )
    call.on('timeout', () => call.destroy(new Error('the running host did not answer in time')))
    call.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve(undefined)
      else
        reject(
          new HostError('HOST_ADMIN_FAILED', `The running host could not be reached: ${error.message}`, {
            cause: error,
          }),
        )
    })
    call.end(payload)
  })
}
