/**
 * What `PhpWorker` (php-worker-client.ts) gives back: call results and how the thread ended.
 *
 * @module
 */
import type { PhpLogEntry, RequestResultMessage, SerializedError } from './php-worker-protocol.js'

/** Result of `PhpWorker.run`. A PHP failure is data (`exitCode !== 0`, `errors`), not an exception. */
export interface PhpRunResult {
  readonly exitCode: number
  /** stdout, decoded as UTF-8, at most `maxOutputBytes` together with stderr. */
  readonly stdout: string
  readonly stderr: string
  /** Bytes PHP actually wrote, including any beyond the cap. */
  readonly stdoutBytes: number
  readonly stderrBytes: number
  /** Whether output beyond `maxOutputBytes` was dropped. */
  readonly truncated: boolean
  /** Error-log entries written during the call (fatal errors carry file and line). */
  readonly errors: readonly PhpLogEntry[]
  readonly durationMs: number
}

/** Response of `PhpWorker.request`: the worker's answer, timed on the host. */
export interface PhpHttpResponse extends RequestResultMessage {
  readonly durationMs: number
}

/** How and why the worker thread ended. */
export interface PhpWorkerExit {
  /**
   * `terminated`: `PhpWorker.terminate` was called; `aborted`: a call's signal terminated it;
   * `crashed`: an uncaught error or wasm trap inside the worker; `oom`: the worker hit its V8
   * resource limits; `exited`: it stopped on its own.
   */
  readonly reason: 'terminated' | 'aborted' | 'crashed' | 'oom' | 'exited'
  readonly exitCode: number
  /** The worker-side error for `crashed` and `oom`. */
  readonly error?: SerializedError
}
