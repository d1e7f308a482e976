/**
 * The host side's table of calls in flight to one PHP worker thread: ids, answers, streamed output with its
 * cap, aborts, and what every open call gets when the thread ends.
 *
 * @module
 */
import { PhpWorkerCallError, PhpWorkerTerminatedError } from '../errors.js'
import type { PhpWorkerCallOptions } from './php-worker-options.js'
import type { WorkerMessage } from './php-worker-protocol.js'
import type { PhpWorkerExit } from './php-worker-results.js'

/** Which PHP stream a chunk came from. */
export type OutputStream = 'stdout' | 'stderr'

/** Output received for one call, kept up to `max` bytes. */
export interface CallOutput {
  readonly stdout: Uint8Array[]
  readonly stderr: Uint8Array[]
  kept: number
  readonly max: number
}

/** One call as {@link WorkerCalls.open} takes it. */
export interface OpenCall {
  /** Where output is kept (the caller decodes it into the result). */
  readonly output: CallOutput
  /** Receives output chunks as they arrive, capped like `output`. */
  readonly onOutput?: ((stream: OutputStream, chunk: Uint8Array) => void) | undefined
  /** Aborting rejects the call and runs `onAbort` (which terminates the worker). */
  readonly signal: AbortSignal | undefined
  readonly onAbort: () => void
  /** Sends the request under the id it was given. */
  readonly send: (id: number) => void
}

interface PendingCall {
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
  readonly onOutput?: ((stream: OutputStream, chunk: Uint8Array) => void) | undefined
  readonly output: CallOutput
}

const decoder = new TextDecoder()

/** A fresh, empty {@link CallOutput} keeping at most `max` bytes. */
export function callOutput(max: number): CallOutput {
  return { stdout: [], stderr: [], kept: 0, max }
}

/** The bytes of one stream, decoded as UTF-8. */
export function decodeOutput(output: CallOutput, stream: OutputStream): string {
  return decoder.decode(Buffer.concat(output[stream]))
}

function partialOutput(output: CallOutput): { stdout: string; stderr: string } {
  return { stdout: decodeOutput(output, 'stdout'), stderr: decodeOutput(output, 'stderr') }
}

/** `timed out` when the signal was a timeout's, else `aborted`: for error messages. */
export function abortReasonMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason
  if (reason instanceof Error && reason.name === 'TimeoutError') return 'timed out'
  return 'aborted'
}

/** One signal for a call's `signal` and `timeoutMs`, or undefined when it has neither. */
export function combineSignals(options: PhpWorkerCallOptions | undefined): AbortSignal | undefined {
  const signals: AbortSignal[] = []
  if (options?.signal) signals.push(options.signal)
  if (options?.timeoutMs !== undefined) signals.push(AbortSignal.timeout(options.timeoutMs))
  if (signals.length === 0) return undefined
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals)
}

/**
 * Calls in flight to one worker. Each gets the next id; the worker's `result` message with that id settles it,
 * its `output` messages feed it until its cap, and the end of the thread rejects whatever is still open.
 */
export class WorkerCalls {
  readonly #pending = new Map<number, PendingCall>()
  #nextId = 1

  /**
   * Registers a call, sends it and resolves with the worker's answer. The answer's type is the caller's to
   * state: the worker answers each id with the value its request type promises.
   */
  open<T>(call: OpenCall): Promise<T> {
    const id = this.#nextId++
    const { signal } = call
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (!this.#pending.delete(id)) return
        reject(
          new PhpWorkerTerminatedError(
            'aborted',
            `PHP worker call ${abortReasonMessage(signal as AbortSignal)}; the worker was terminated`,
            { cause: (signal as AbortSignal).reason, partialOutput: partialOutput(call.output) },
          ),
        )
        call.onAbort()
      }
      const cleanup = () => signal?.removeEventListener('abort', onAbort)
      this.#pending.set(id, {
        resolve: (value) => {
          cleanup()
          resolve(value as T)
        },
        reject: (error) => {
          cleanup()
          reject(error)
        },
        onOutput: call.onOutput,
        output: call.output,
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      call.send(id)
    })
  }

  /** Settles the call a `result` message answers. */
  settle(message: Extract<WorkerMessage, { readonly type: 'result' }>): void {
    const pending = this.#pending.get(message.id)
    if (!pending) return
    this.#pending.delete(message.id)
    if (message.ok) pending.resolve(message.value)
    else {
      pending.reject(
        new PhpWorkerCallError(message.error.message, {
          details: { workerError: message.error.name, workerCode: message.error.code ?? null },
        }),
      )
    }
  }

  /** Adds an `output` message's chunk to its call, as far as the call's cap allows. */
  output(message: Extract<WorkerMessage, { readonly type: 'output' }>): void {
    const pending = this.#pending.get(message.id)
    if (!pending) return
    const room = pending.output.max - pending.output.kept
    const chunk =
      message.chunk.byteLength > room ? message.chunk.subarray(0, Math.max(0, room)) : message.chunk
    if (chunk.byteLength === 0) return
    pending.output.kept += chunk.byteLength
    pending.output[message.stream].push(chunk)
    pending.onOutput?.(message.stream, chunk)
  }

  /** Rejects every open call: the thread ended before answering them. */
  rejectAll(exit: PhpWorkerExit): void {
    const reason =
      exit.reason === 'crashed' || exit.reason === 'oom'
        ? 'crashed'
        : exit.reason === 'aborted'
          ? 'aborted'
          : 'exited'
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id)
      pending.reject(
        new PhpWorkerTerminatedError(reason, `PHP worker ended (${exit.reason}) before answering`, {
          details: exit.error ? { workerError: exit.error.name, workerMessage: exit.error.message } : {},
          partialOutput: partialOutput(pending.output),
        }),
      )
    }
  }
}
