/** The cross-package brand `isCodeboxError` (runtime-core) looks for. */
const CODEBOX_ERROR: unique symbol = Symbol.for('codebox.error')

/** JSON-safe detail values carried by backend-playground errors. */
export type ErrorDetails = Readonly<Record<string, unknown>>

/**
 * Base class of every error thrown by `@codebox/backend-playground`. Carries a stable string `code`,
 * JSON-safe `details`, an optional `cause`, and the `codebox.error` brand checked by `isCodeboxError`.
 */
export class BackendPlaygroundError extends Error {
  readonly [CODEBOX_ERROR] = true
  /** Stable machine-readable code, e.g. `PHP_WORKER_TERMINATED`. */
  readonly code: string
  /** JSON-safe context; never contains secrets. */
  readonly details: ErrorDetails

  constructor(code: string, message: string, options: { cause?: unknown; details?: ErrorDetails } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.details = options.details ?? {}
  }

  /** Serialisable form: `{ name, code, message, details }`. */
  toJSON(): { name: string; code: string; message: string; details: ErrorDetails } {
    return { name: this.name, code: this.code, message: this.message, details: this.details }
  }
}

/** Why a PHP worker call ended without an answer. */
export type PhpWorkerTerminationReason = 'aborted' | 'crashed' | 'exited'

/**
 * A call (or the start) of a PHP worker did not complete because the worker thread ended: the
 * call's own signal aborted it (`aborted`, the worker is terminated to stop PHP), the worker
 * crashed or ran out of memory (`crashed`), or it was terminated or exited for another reason
 * (`exited`). Output produced before the end is kept in `partialOutput`.
 */
export class PhpWorkerTerminatedError extends BackendPlaygroundError {
  readonly reason: PhpWorkerTerminationReason
  /** stdout/stderr received before the worker ended (capped like a normal result). */
  readonly partialOutput: { readonly stdout: string; readonly stderr: string } | undefined

  constructor(
    reason: PhpWorkerTerminationReason,
    message: string,
    options: {
      cause?: unknown
      details?: ErrorDetails
      partialOutput?: { stdout: string; stderr: string }
    } = {},
  ) {
    super('PHP_WORKER_TERMINATED', message, { cause: options.cause, details: { reason, ...options.details } })
    this.reason = reason
    this.partialOutput = options.partialOutput
  }
}

/**
 * The PHP worker answered a call with an error (a missing file, a mount that failed, a boot
 * failure). `details.workerCode` holds the worker-side code when there is one.
 */
export class PhpWorkerCallError extends BackendPlaygroundError {
  constructor(message: string, options: { cause?: unknown; details?: ErrorDetails } = {}) {
    super('PHP_WORKER_CALL_FAILED', message, options)
  }
}
