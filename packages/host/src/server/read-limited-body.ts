import type { Readable } from 'node:stream'

/** A request body over its limit; the host answers 413 and closes the connection. */
export class BodyTooLargeError extends Error {
  readonly statusCode = 413
  readonly bytes: number
  readonly maxBytes: number

  constructor(bytes: number, maxBytes: number) {
    super(`The request body exceeds ${maxBytes} bytes.`)
    this.bytes = bytes
    this.maxBytes = maxBytes
  }
}

/**
 * Reads a request body into memory, refusing it as soon as it (or its declared `content-length`) passes `maxBytes`,
 * so a large or endless body is never buffered. Slow bodies are cut off by the server's request timeout.
 */
export function readLimitedBody(
  stream: Readable,
  declaredLength: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(declaredLength ?? 0)
    if (declared > maxBytes) {
      stream.resume()
      reject(new BodyTooLargeError(declared, maxBytes))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > maxBytes) {
        stream.off('data', onData)
        stream.resume()
        reject(new BodyTooLargeError(size, maxBytes))
        return
      }
      chunks.push(chunk)
    }
    stream.on('data', onData)
    stream.once('end', () => resolve(Buffer.concat(chunks)))
    stream.once('error', reject)
  })
}
