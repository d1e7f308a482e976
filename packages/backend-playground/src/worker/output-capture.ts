/**
 * Capturing one call's PHP output inside the worker thread: byte caps, batching for the host, and the hook
 * into php-wasm's stdout/stderr callbacks.
 *
 * @module
 */

/** Output chunks are batched for at most this long / this many bytes before being posted. */
const OUTPUT_FLUSH_MS = 25
const OUTPUT_FLUSH_BYTES = 64 * 1024

/** Which PHP stream a chunk came from. */
export type OutputStream = 'stdout' | 'stderr'

/** One call's output capture; see {@link createOutputCapture}. */
export interface OutputCapture {
  /** Takes a chunk PHP wrote; returns what to hand on to php-wasm's own response stream (null: nothing). */
  filter(stream: OutputStream, chunk: Uint8Array): Uint8Array | null
  /** Posts what is still batched. */
  flush(): void
  /** Bytes PHP wrote per stream (beyond the cap too), and whether any were dropped. */
  summary(): { stdoutBytes: number; stderrBytes: number; truncated: boolean }
}

/**
 * Captures one call's output with a byte cap. In `forward` mode chunks are handed to `post` as they are
 * produced (batched, adjacent chunks of a stream merged) and not kept in this thread; in `pass` mode they go
 * on to php-wasm's response (used for HTTP requests) until the cap, and the rest is dropped.
 */
export function createOutputCapture(
  maxOutputBytes: number,
  mode: 'forward' | 'pass',
  post: (stream: OutputStream, chunk: Uint8Array) => void,
): OutputCapture {
  const totals = { stdout: 0, stderr: 0 }
  let kept = 0
  let truncated = false
  let pending: { stream: OutputStream; chunk: Uint8Array }[] = []
  let pendingBytes = 0
  // The first chunk of a call is posted at once; later ones are batched for OUTPUT_FLUSH_MS. Monotonic time, not
  // Date.now(): a deterministic runtime's Date.now() is PHP's seeded clock, and reading it here would move it.
  let lastFlush = Number.NEGATIVE_INFINITY
  const flush = (): void => {
    lastFlush = performance.now()
    if (pending.length === 0) return
    const merged: { stream: OutputStream; parts: Uint8Array[]; bytes: number }[] = []
    for (const { stream, chunk } of pending) {
      const last = merged[merged.length - 1]
      if (last && last.stream === stream) {
        last.parts.push(chunk)
        last.bytes += chunk.byteLength
      } else merged.push({ stream, parts: [chunk], bytes: chunk.byteLength })
    }
    pending = []
    pendingBytes = 0
    for (const { stream, parts, bytes } of merged) {
      const chunk = new Uint8Array(bytes)
      let offset = 0
      for (const part of parts) {
        chunk.set(part, offset)
        offset += part.byteLength
      }
      post(stream, chunk)
    }
  }
  return {
    filter(stream, chunk) {
      totals[stream] += chunk.byteLength
      let keep = chunk
      if (kept + chunk.byteLength > maxOutputBytes) {
        keep = chunk.subarray(0, Math.max(0, maxOutputBytes - kept))
        truncated = true
      }
      kept += keep.byteLength
      if (mode === 'pass') return keep.byteLength > 0 ? keep : null
      if (keep.byteLength > 0) {
        pending.push({ stream, chunk: keep.slice() })
        pendingBytes += keep.byteLength
      }
      if (pendingBytes >= OUTPUT_FLUSH_BYTES || performance.now() - lastFlush >= OUTPUT_FLUSH_MS) flush()
      return null
    },
    flush,
    summary: () => ({ stdoutBytes: totals.stdout, stderrBytes: totals.stderr, truncated }),
  }
}

/**
 * Routes an Emscripten runtime's stdout/stderr callbacks through `current()`, the capture of the call in
 * progress (none: output passes unchanged). php-wasm assigns `runtime.onStdout`/`onStderr` at the start of
 * every run; the accessor keeps that assignment as the inner target and filters synchronously, while PHP is
 * still executing, so output can be streamed and capped without php-wasm buffering a flood in this thread.
 */
export function interceptOutput(runtime: object, current: () => OutputCapture | null): void {
  for (const [key, stream] of [
    ['onStdout', 'stdout'],
    ['onStderr', 'stderr'],
  ] as const) {
    let inner: ((chunk: Uint8Array) => void) | undefined
    Object.defineProperty(runtime, key, {
      configurable: true,
      get() {
        return (chunk: Uint8Array) => {
          const capture = current()
          const out = capture ? capture.filter(stream, chunk) : chunk
          if (out) inner?.(out)
        }
      },
      set(fn: ((chunk: Uint8Array) => void) | undefined) {
        inner = fn
      },
    })
  }
}
