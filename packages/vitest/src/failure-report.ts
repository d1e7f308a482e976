import { createRedactor } from '@codebox/artifacts'
import type { CommandRecord, RuntimeDiagnostic, RuntimeEvent } from '@codebox/runtime-core'
import type { FailureReportOptions, WordPressRuntime } from './wordpress-fixture-options.js'

/** Characters of each command's stdout / stderr (the end) and of its arguments the report keeps. */
const OUTPUT_TAIL_CHARS = 2_000
const ARGS_CHARS = 500

/** One command of a failed test's runtime, as the report shows it. */
export interface ReportedCommand {
  readonly index: number
  readonly command: string
  /** The arguments as JSON, cut to 500 characters. */
  readonly args: string
  readonly status: string
  readonly exitCode: number | null
  readonly durationMs: number
  /** The last 2 000 characters of each stream. */
  readonly stdout: string
  readonly stderr: string
  readonly error?: { readonly code: string; readonly message: string }
}

/** One log line of a failed test's runtime. */
export interface ReportedLogLine {
  readonly time: string
  readonly level: string
  readonly source: string
  readonly message: string
}

/**
 * What a failed test's runtime did, attached to the test as `task.meta.codebox` and as a
 * `codebox:wordpress-report` artifact. Built from the runtime's own redacted history and events, then passed
 * through the credential-shape redactor once more: it never holds a declared secret.
 */
export interface WordPressFailureReport {
  readonly runtimeId: string
  /** The last commands (see `report.commands`), oldest first. */
  readonly commands: readonly ReportedCommand[]
  /** Commands run before those, not shown. */
  readonly earlierCommands: number
  /** Commands still running when the test ended (a timed-out test's last command, say). */
  readonly running: readonly { readonly index: number; readonly command: string; readonly args: string }[]
  /** PHP error-log entries (fatal errors, warnings, notices, deprecations), the last `report.logLines`. */
  readonly phpErrors: readonly ReportedLogLine[]
  /** Other log lines and diagnostics, the last `report.logLines`. */
  readonly logs: readonly ReportedLogLine[]
  /** Diagnostics the runtime recorded (PHP fatals, failed setup steps). */
  readonly diagnostics: readonly RuntimeDiagnostic[]
}

/** Keeps the last `max` items. */
class Ring<T> {
  readonly #items: T[] = []
  constructor(readonly max: number) {}
  push(item: T): void {
    if (this.max === 0) return
    this.#items.push(item)
    if (this.#items.length > this.max) this.#items.shift()
  }
  get items(): readonly T[] {
    return [...this.#items]
  }
}

const argsText = (args: unknown) => {
  const text = JSON.stringify(args) ?? ''
  return text.length > ARGS_CHARS ? `${text.slice(0, ARGS_CHARS)}…` : text
}

const tail = (text: string, chars: number) =>
  text.length <= chars ? text : `[… ${text.length - chars} characters before]${text.slice(-chars)}`

function reportedCommand(record: CommandRecord): ReportedCommand {
  return {
    index: record.index,
    command: record.command,
    args: argsText(record.args),
    status: record.status,
    exitCode: record.exitCode,
    durationMs: record.durationMs,
    stdout: tail(record.stdout.text, OUTPUT_TAIL_CHARS),
    stderr: tail(record.stderr.text, OUTPUT_TAIL_CHARS),
    ...(record.error ? { error: record.error } : {}),
  }
}

/**
 * Listens to one runtime from the moment it is handed to a test, keeping its last log lines, so that a failed
 * test can be reported with what the runtime did. Cheap while the test passes: two bounded rings.
 */
export class FailureRecorder {
  readonly #runtime: WordPressRuntime
  readonly #options: Required<FailureReportOptions>
  readonly #php: Ring<ReportedLogLine>
  readonly #logs: Ring<ReportedLogLine>
  readonly #running = new Map<string, { index: number; command: string; args: string }>()
  readonly #stop: () => void

  constructor(runtime: WordPressRuntime, options: Required<FailureReportOptions>) {
    this.#runtime = runtime
    this.#options = options
    this.#php = new Ring(options.logLines)
    this.#logs = new Ring(options.logLines)
    this.#stop = runtime.on('*', (event) => this.#record(event))
  }

  #record(event: RuntimeEvent): void {
    if (event.type === 'command.started') {
      this.#running.set(event.commandId, {
        index: event.index,
        command: event.command,
        args: argsText(event.args),
      })
    } else if (event.type === 'command.finished') {
      this.#running.delete(event.commandId)
    } else if (event.type === 'log') {
      const line = { time: event.time, level: event.level, source: event.source, message: event.message }
      if (event.source === 'php') this.#php.push(line)
      else this.#logs.push(line)
    } else if (event.type === 'diagnostic') {
      const where = event.file ? ` (${event.file}${event.line === undefined ? '' : `:${event.line}`})` : ''
      this.#logs.push({
        time: event.time,
        level: event.severity,
        source: `diagnostic${event.code ? ` ${event.code}` : ''}`,
        message: `${event.message}${where}`,
      })
    } else if (event.type === 'network.blocked') {
      this.#logs.push({
        time: event.time,
        level: 'warn',
        source: 'network',
        message: `blocked ${event.host}${event.port === undefined ? '' : `:${event.port}`} (${event.via})`,
      })
    }
  }

  /** Stops listening. */
  stop(): void {
    this.#stop()
  }

  /** The report of what the runtime did so far. */
  report(): WordPressFailureReport {
    const history = this.#runtime.history
    const shown = this.#options.commands === 0 ? [] : history.slice(-this.#options.commands)
    return shapeRedactor.redactJson({
      runtimeId: this.#runtime.id,
      commands: shown.map(reportedCommand),
      earlierCommands: history.length - shown.length,
      running: [...this.#running.values()],
      phpErrors: this.#php.items,
      logs: this.#logs.items,
      diagnostics: [...this.#runtime.diagnostics],
    })
  }
}

const shapeRedactor = createRedactor()

const indent = (text: string, prefix: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n')

/** The report as text, for the console and the artifact's attachment. */
export function renderFailureReport(report: WordPressFailureReport, testName: string): string {
  const lines = [`codebox: what WordPress runtime ${report.runtimeId} did in "${testName}"`]
  const earlier =
    report.earlierCommands > 0
      ? ` (the last ${report.commands.length}; ${report.earlierCommands} before)`
      : ''
  lines.push(report.commands.length + report.running.length === 0 ? 'commands: none' : `commands${earlier}:`)
  for (const command of report.commands) {
    const exit = command.exitCode === null ? '' : `exit ${command.exitCode}, `
    lines.push(
      `  #${command.index} ${command.command} ${command.args} → ${command.status} (${exit}${command.durationMs} ms)`,
    )
    if (command.error) lines.push(`     error: ${command.error.code}: ${command.error.message}`)
    if (command.stdout) lines.push(`     stdout:\n${indent(command.stdout, '       ')}`)
    if (command.stderr) lines.push(`     stderr:\n${indent(command.stderr, '       ')}`)
  }
  for (const command of report.running) {
    lines.push(`  #${command.index} ${command.command} ${command.args} → still running when the test ended`)
  }
  lines.push(report.phpErrors.length === 0 ? 'PHP errors: none' : `PHP errors (${report.phpErrors.length}):`)
  for (const entry of report.phpErrors) lines.push(`  [${entry.level}] ${entry.message}`)
  if (report.logs.length > 0) {
    lines.push(`logs (${report.logs.length}):`)
    for (const entry of report.logs) lines.push(`  [${entry.level}] ${entry.source}: ${entry.message}`)
  }
  return `${lines.join('\n')}\n`
}
