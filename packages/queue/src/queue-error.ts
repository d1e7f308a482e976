import { CodeboxError, type CodeboxErrorOptions } from '@codebox/runtime-core'

/** Stable error codes raised by `@codebox/queue`. */
export type QueueErrorCode =
  /** The Redis URL or connection options cannot be used (bad scheme, port or database). */
  | 'QUEUE_REDIS_URL_INVALID'
  /** Redis did not answer a PING in time: not running, wrong host/port, wrong password or TLS. */
  | 'QUEUE_REDIS_UNREACHABLE'
  /** `enqueue()` or worker options are invalid; `issues` names each field. */
  | 'QUEUE_OPTIONS_INVALID'
  /** No job with that id (never added, or removed by retention). */
  | 'QUEUE_JOB_NOT_FOUND'
  /** The queue or worker was closed. */
  | 'QUEUE_CLOSED'
  /** The artifact store URL cannot be used (scheme, bucket, relative directory). */
  | 'ARTIFACT_STORE_URL_INVALID'
  /** The artifact store did not answer, or refused access (credentials, bucket missing, directory not writable). */
  | 'ARTIFACT_STORE_UNREACHABLE'
  /** Writing a bundle to the artifact store failed; nothing was left under the final key. */
  | 'ARTIFACT_STORE_WRITE_FAILED'
  /** Reading a bundle from the artifact store failed (missing key, network). */
  | 'ARTIFACT_STORE_READ_FAILED'

/** One problem with an option, with the JSON path of the field. */
export interface QueueIssue {
  readonly path: string
  readonly message: string
}

/**
 * The error class of `@codebox/queue`: a stable `code`, a message that names the URL (credentials redacted) and
 * what to check, `cause`, and `toJSON()`. `isCodeboxError()` from `@codebox/runtime-core` recognises it.
 *
 * @example
 * try { await createRecipeWorker({ connection: 'redis://127.0.0.1:6379', artifacts: 'file:///srv/bundles' }) }
 * catch (error) { if (isCodeboxError(error) && error.code === 'QUEUE_REDIS_UNREACHABLE') process.exitCode = 3 }
 */
export class QueueError extends CodeboxError {
  declare readonly code: QueueErrorCode
  /** Path-precise problems, for `*_INVALID` codes; empty otherwise. */
  readonly issues: readonly QueueIssue[]

  constructor(
    code: QueueErrorCode,
    message: string,
    options: CodeboxErrorOptions & { issues?: readonly QueueIssue[] } = {},
  ) {
    const issues = options.issues ?? []
    super(code, message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      details: { ...options.details, ...(issues.length > 0 ? { issues } : {}) },
    })
    this.issues = issues
  }
}
