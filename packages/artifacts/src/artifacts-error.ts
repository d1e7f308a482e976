/** The cross-package brand of codebox errors (`Symbol.for('codebox.error')`). */
export const CODEBOX_ERROR_BRAND: unique symbol = Symbol.for('codebox.error')

/** Stable error codes raised by `@codebox/artifacts`. */
export type ArtifactsErrorCode =
  | 'BUNDLE_INPUT_INVALID'
  | 'BUNDLE_EXISTS'
  | 'BUNDLE_WRITE_FAILED'
  | 'BUNDLE_INVALID'
  | 'BUNDLE_TARGET_DRIFTED'
  | 'BUNDLE_MOUNT_REQUIRED'
  | 'BUNDLE_SELECTION_INVALID'
  | 'BUNDLE_TARGET_INVALID'
  | 'BUNDLE_CHANGE_UNAPPLICABLE'
  | 'REDACTION_FAILED'
  | 'SECRET_NAME_INVALID'
  | 'SIGNING_KEY_INVALID'

/** One validation issue: a JSON path such as `$.commands[2].status` and a message (never a secret value). */
export interface ArtifactsIssue {
  readonly path: string
  readonly message: string
}

/** Options accepted by {@link ArtifactsError}. */
export interface ArtifactsErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown
  /** JSON-safe details; must never contain secret values. */
  details?: Record<string, unknown>
  /** Validation issues, for `BUNDLE_INPUT_INVALID`. */
  issues?: readonly ArtifactsIssue[]
}

/**
 * The single base error class of `@codebox/artifacts`. It carries a stable `code`, JSON-safe `details`
 * and the codebox error brand so `isCodeboxError()` recognises it across package copies.
 *
 * @example
 * try { await applyBundleChanges(bundle, dir) } catch (e) {
 *   if (e instanceof ArtifactsError && e.code === 'BUNDLE_TARGET_DRIFTED') console.log(e.details)
 * }
 */
export class ArtifactsError extends Error {
  /** Brand checked by `isCodeboxError()`. */
  readonly [CODEBOX_ERROR_BRAND] = true
  /** Stable machine-readable code. */
  readonly code: ArtifactsErrorCode
  /** JSON-safe details (never secret values). */
  readonly details: Record<string, unknown> | undefined
  /** Validation issues, empty unless the error is about invalid input. */
  readonly issues: readonly ArtifactsIssue[]

  constructor(code: ArtifactsErrorCode, message: string, options: ArtifactsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ArtifactsError'
    this.code = code
    this.details = options.details
    this.issues = options.issues ?? []
  }

  /** JSON form: `{ name, code, message, details }` (plus `issues` when present). */
  toJSON(): { name: string; code: ArtifactsErrorCode; message: string; details?: Record<string, unknown> } {
    const details = this.issues.length > 0 ? { ...this.details, issues: this.issues } : this.details
    return { name: this.name, code: this.code, message: this.message, ...(details ? { details } : {}) }
  }
}
