/** Brand carried by every codebox error, whatever package or copy of a package created it. */
export const CODEBOX_ERROR_BRAND = Symbol.for('codebox.error')

/** One problem found while validating input, with the JSON path of the offending field. */
export interface ValidationIssue {
  /** JSON path such as `$.args.timeoutMs`. */
  readonly path: string
  /** What is wrong and how to fix it. */
  readonly message: string
}

/** Options accepted by every codebox error constructor. */
export interface CodeboxErrorOptions {
  /** The underlying error, if any. Never a secret value. */
  cause?: unknown
  /** JSON-safe details for machines; included in `toJSON()`. */
  details?: Record<string, unknown>
}

/**
 * Base class of every error thrown by runtime-core. `code` is stable across releases and is what callers should
 * branch on; `message` is for humans and may change.
 *
 * @example
 * try { await runtime.execute({ command: 'wordpress.run-php', args }) }
 * catch (error) { if (isCodeboxError(error) && error.code === 'RUNTIME_DESTROYED') { ... } }
 */
export class CodeboxError extends Error {
  readonly [CODEBOX_ERROR_BRAND] = true
  /** Stable machine-readable code, e.g. `RUNTIME_DESTROYED`. */
  readonly code: string
  /** JSON-safe details for machines. */
  readonly details: Record<string, unknown>

  constructor(code: string, message: string, options: CodeboxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.details = options.details ?? {}
  }

  /** A JSON-safe form: `{ name, code, message, details }`. */
  toJSON(): { name: string; code: string; message: string; details: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details }
  }
}

/**
 * True for any error created by a codebox package (checked by brand and `code`, so it works across duplicated
 * package copies where `instanceof` would not).
 */
export function isCodeboxError(error: unknown): error is CodeboxError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[CODEBOX_ERROR_BRAND] === true &&
    typeof (error as { code?: unknown }).code === 'string'
  )
}

/** The message of anything thrown (a non-error is stringified). Internal to runtime-core. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Lifecycle states a runtime moves through. */
export type RuntimeState = 'creating' | 'ready' | 'destroying' | 'destroyed' | 'failed'

/** A call was made in a lifecycle state that does not allow it (for example `execute` after `destroy`). */
export class RuntimeStateError extends CodeboxError {
  /** The state the runtime was in. */
  readonly state: RuntimeState
  /** The operation that was refused. */
  readonly operation: string

  constructor(operation: string, state: RuntimeState, options: CodeboxErrorOptions = {}) {
    const code =
      state === 'destroyed'
        ? 'RUNTIME_DESTROYED'
        : state === 'destroying'
          ? 'RUNTIME_DESTROYING'
          : state === 'failed'
            ? 'RUNTIME_FAILED'
            : 'RUNTIME_NOT_READY'
    const hint =
      state === 'failed'
        ? 'the runtime failed earlier (see its diagnostic events); create a new runtime'
        : state === 'creating'
          ? 'await createRuntime() before using the runtime'
          : 'create a new runtime; a destroyed runtime cannot be reused'
    super(code, `Cannot ${operation}: the runtime is ${state}; ${hint}.`, {
      ...options,
      details: { ...options.details, state, operation },
    })
    this.state = state
    this.operation = operation
  }
}

/** Input failed validation; `issues` lists every problem with its JSON path. */
export class ValidationError extends CodeboxError {
  /** Every problem found, each with its path. */
  readonly issues: readonly ValidationIssue[]

  constructor(
    code: string,
    subject: string,
    issues: readonly ValidationIssue[],
    options: CodeboxErrorOptions = {},
  ) {
    const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')
    super(code, `Invalid ${subject}: ${summary}`, { ...options, details: { ...options.details, issues } })
    this.issues = issues
  }
}

/** The command name is not in the backend's catalogue. */
export class UnknownCommandError extends CodeboxError {
  constructor(command: string, known: readonly string[]) {
    super(
      'COMMAND_UNKNOWN',
      `Unknown command "${command}". Known commands: ${known.join(', ') || '(none)'}.`,
      {
        details: { command, known },
      },
    )
  }
}

/** Thrown by `execute({ throwOnFailure: true })` when a command does not finish with status `ok`. */
export class CommandFailedError extends CodeboxError {
  /** The full command result. */
  readonly result: unknown

  constructor(command: string, status: string, message: string, result: unknown) {
    super('COMMAND_FAILED', `Command "${command}" finished with status ${status}: ${message}`, {
      details: { command, status },
    })
    this.result = result
  }
}

/** The operation was aborted through its `signal` before it finished. */
export class AbortedError extends CodeboxError {
  constructor(operation: string, reason?: unknown) {
    super('OPERATION_ABORTED', `${operation} was aborted.`, { cause: reason })
  }
}

/** The operation did not finish within its `timeoutMs`. */
export class TimeoutError extends CodeboxError {
  constructor(operation: string, timeoutMs: number) {
    super('OPERATION_TIMED_OUT', `${operation} did not finish within ${timeoutMs} ms.`, {
      details: { timeoutMs },
    })
  }
}
