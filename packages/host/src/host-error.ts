/** The cross-package brand `isCodeboxError` (runtime-core) looks for. */
const CODEBOX_ERROR: unique symbol = Symbol.for('codebox.error') as never

/** JSON-safe detail values carried by host errors; never a secret. */
export type HostErrorDetails = Readonly<Record<string, unknown>>

/** One problem in a document, located by its JSON path (`$.tenants[0].domains[1]`). */
export interface HostIssue {
  /** JSON path of the offending value; `$` is the document itself. */
  readonly path: string
  /** What is wrong and how to fix it. */
  readonly message: string
}

/**
 * Base class of every error thrown by `@codebox/host`: a stable string `code`, JSON-safe `details`, an optional
 * `cause`, the `codebox.error` brand and `toJSON()`. Messages and details name tenants, paths and environment
 * variable names, never a token, password or secret value.
 */
export class HostError extends Error {
  readonly [CODEBOX_ERROR] = true
  /** Stable machine-readable code, e.g. `TENANT_MANIFEST_INVALID`. */
  readonly code: string
  /** JSON-safe context. */
  readonly details: HostErrorDetails

  constructor(code: string, message: string, options: { cause?: unknown; details?: HostErrorDetails } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.details = options.details ?? {}
  }

  /** Serialisable form: `{ name, code, message, details }`. */
  toJSON(): { name: string; code: string; message: string; details: HostErrorDetails } {
    return { name: this.name, code: this.code, message: this.message, details: this.details }
  }
}

/**
 * A tenant manifest could not be used. Codes: `TENANT_MANIFEST_INVALID` (schema or cross-tenant rules; `issues` lists
 * every problem with its JSON path), `TENANT_MANIFEST_JSON_INVALID` (not JSON), `TENANT_MANIFEST_UNREADABLE` (the file
 * cannot be read).
 */
export class TenantManifestError extends HostError {
  /** Every problem found, in document order (empty for unreadable files). */
  readonly issues: readonly HostIssue[]

  constructor(
    code: 'TENANT_MANIFEST_INVALID' | 'TENANT_MANIFEST_JSON_INVALID' | 'TENANT_MANIFEST_UNREADABLE',
    message: string,
    options: { issues?: readonly HostIssue[]; cause?: unknown; file?: string } = {},
  ) {
    const issues = options.issues ?? []
    super(code, message, {
      cause: options.cause,
      details: {
        issues: issues.map((issue) => ({ path: issue.path, message: issue.message })),
        ...(options.file === undefined ? {} : { file: options.file }),
      },
    })
    this.issues = issues
  }
}
