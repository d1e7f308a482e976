import { CliError } from './cli-error.js'
import { fixFor } from './error-fixes.js'
import { EXIT_CODES, type ExitCode, exitCodeFor } from './exit-codes.js'

/** The schema id of every `--json` document. */
export const CLI_RESULT_SCHEMA_ID = 'codebox/cli-result/v1'

/** An error as printed: stable `code`, message, one-line fix and path-precise issues. */
export interface CliErrorDocument {
  readonly code: string
  readonly message: string
  readonly fix: string
  readonly issues: readonly { readonly path: string; readonly message: string }[]
}

/** The one JSON document `--json` prints on stdout. See the package README for each command's `result`. */
export interface CliResultDocument {
  readonly schema: typeof CLI_RESULT_SCHEMA_ID
  /** `run`, `serve`, `bundle verify`, `cache add`, `cache list`. */
  readonly command: string
  readonly ok: boolean
  readonly exitCode: ExitCode
  readonly result: unknown
  readonly error: CliErrorDocument | null
}

/** Where the CLI writes. Injected so the command functions stay testable. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean }
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean }
}

function isCodedError(
  error: unknown,
): error is Error & { code: string; details?: unknown; issues?: unknown } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    ((error as unknown as Record<symbol, unknown>)[Symbol.for('codebox.error')] === true ||
      error instanceof CliError)
  )
}

function issuesOf(error: { details?: unknown; issues?: unknown }): CliErrorDocument['issues'] {
  const raw = Array.isArray(error.issues)
    ? error.issues
    : Array.isArray((error.details as { issues?: unknown } | undefined)?.issues)
      ? ((error.details as { issues: unknown[] }).issues as unknown[])
      : []
  return raw
    .filter(
      (issue): issue is { path: string; message: string } =>
        typeof issue === 'object' &&
        issue !== null &&
        typeof (issue as { path?: unknown }).path === 'string' &&
        typeof (issue as { message?: unknown }).message === 'string',
    )
    .map(({ path, message }) => ({ path, message }))
}

/** Describes any thrown value as a {@link CliErrorDocument} and its exit code. */
export function describeError(error: unknown): { document: CliErrorDocument; exitCode: ExitCode } {
  if (isCodedError(error)) {
    return {
      document: {
        code: error.code,
        message: error.message,
        fix: fixFor(error.code),
        issues: issuesOf(error),
      },
      exitCode: exitCodeFor(error.code),
    }
  }
  const message = error instanceof Error ? error.message : String(error)
  return {
    document: { code: 'CLI_INTERNAL_ERROR', message, fix: fixFor('CLI_INTERNAL_ERROR'), issues: [] },
    exitCode: EXIT_CODES.INTERNAL,
  }
}

/** Writes the `--json` document (one line of JSON and a newline). */
export function writeJson(io: CliIo, document: Omit<CliResultDocument, 'schema'>): void {
  io.stdout.write(`${JSON.stringify({ schema: CLI_RESULT_SCHEMA_ID, ...document })}\n`)
}

/** Prints an error for humans on stderr: `error[CODE]: message`, each issue, then the fix. */
export function writeHumanError(io: CliIo, document: CliErrorDocument): void {
  // A validation message repeats its issues inline; they are listed one per line below instead.
  // Other messages may span lines (what was looked for and where); those lines are kept, indented under it.
  const [headline = '', ...rest] =
    document.issues.length > 0
      ? [
          `${document.message.split(': $')[0]} (${document.issues.length} issue${document.issues.length === 1 ? '' : 's'})`,
        ]
      : document.message.split('\n')
  const lines = [`error[${document.code}]: ${headline}`, ...rest.map((line) => `  ${line}`)]
  for (const issue of document.issues) lines.push(`  ${issue.path}: ${issue.message}`)
  lines.push(`  fix: ${document.fix}`)
  io.stderr.write(`${lines.join('\n')}\n`)
}

/** Reports a failed command in the chosen format and returns its exit code. */
export function reportError(io: CliIo, command: string, error: unknown, json: boolean): ExitCode {
  const { document, exitCode } = describeError(error)
  if (json) writeJson(io, { command, ok: false, exitCode, result: null, error: document })
  else writeHumanError(io, document)
  return exitCode
}
