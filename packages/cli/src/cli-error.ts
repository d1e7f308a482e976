/** Brand shared by every codebox error (see `isCodeboxError` in `@codebox/runtime-core`). */
const CODEBOX_ERROR_BRAND = Symbol.for('codebox.error')

/** An error of the `codebox` command itself (usage, unreadable files), with a stable `code`. */
export class CliError extends Error {
  readonly [CODEBOX_ERROR_BRAND] = true
  /** Stable machine-readable code, e.g. `CLI_USAGE`. */
  readonly code: string
  /** JSON-safe details; `issues` lists path-precise problems when there are any. */
  readonly details: Record<string, unknown>

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'CliError'
    this.code = code
    this.details = options.details ?? {}
  }

  /** `{ name, code, message, details }`. */
  toJSON(): { name: string; code: string; message: string; details: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details }
  }
}
