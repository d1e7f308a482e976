import type { BackendCreateContext } from '@codebox/runtime-core'
import { headlessLogEvent } from '../headless/headless-install.js'
import type { PhpLogEntry } from '../worker/php-worker-protocol.js'

/** Bytes each collected log keeps before it only counts what it drops. */
const MAX_LOG_BYTES = 4 * 1024 * 1024

/** Reports kept by {@link RuntimeLogs.attach}; the oldest go first. */
const MAX_REPORTS = 32

/** A bounded text log (keeps the first `maxBytes`, counts the rest). */
class LogFile {
  readonly #lines: string[] = []
  #bytes = 0
  #dropped = 0

  append(line: string): void {
    if (this.#bytes + line.length > MAX_LOG_BYTES) {
      this.#dropped += line.length
      return
    }
    this.#bytes += line.length + 1
    this.#lines.push(line)
  }

  text(): string {
    const tail = this.#dropped > 0 ? `\n[codebox: ${this.#dropped} more bytes of log not kept]\n` : ''
    return `${this.#lines.join('\n')}${this.#lines.length ? '\n' : ''}${tail}`
  }
}

function logLevel(entry: PhpLogEntry): 'debug' | 'info' | 'warn' | 'error' {
  if (entry.level === 'fatal' || entry.level === 'parse') return 'error'
  if (entry.level === 'warning') return 'warn'
  return 'info'
}

/**
 * A runtime's two logs, collected as `php-error.log` and `boot.log`, and the events PHP's log entries become:
 * every entry is a `log` event (a headless refusal its own event instead), and a fatal or parse error is also a
 * `diagnostic`.
 */
export class RuntimeLogs {
  readonly #emit: BackendCreateContext['emit']
  readonly #php = new LogFile()
  readonly #boot = new LogFile()
  readonly #reports = new Map<string, LogFile>()

  constructor(emit: BackendCreateContext['emit']) {
    this.#emit = emit
  }

  /** Records one line of the worker's boot output (kept for `boot.log`, not emitted). */
  boot(line: string): void {
    this.#boot.append(line)
  }

  /** Records one PHP log entry and emits what it means. Bound, so it can be passed as a callback. */
  readonly php = (entry: PhpLogEntry): void => {
    this.#php.append(entry.raw)
    const blocked = headlessLogEvent(entry)
    if (blocked) {
      this.#emit(blocked)
      return
    }
    this.#emit({ type: 'log', level: logLevel(entry), message: entry.message, source: 'php' })
    if (entry.level === 'fatal' || entry.level === 'parse') {
      this.#emit({
        type: 'diagnostic',
        severity: 'error',
        message: entry.message,
        code: entry.level === 'parse' ? 'PHP_PARSE_ERROR' : 'PHP_FATAL',
        phase: 'runtime',
        ...(entry.file ? { file: entry.file } : {}),
        ...(entry.line === undefined ? {} : { line: entry.line }),
      })
    }
  }

  /**
   * Keeps a report a command wrote (a PHPUnit JUnit report, say) as a log of the bundle, under `name` (a safe file
   * name). The newest {@link MAX_REPORTS} are kept, each cut to the log cap.
   */
  attach(name: string, text: string): void {
    this.#reports.delete(name)
    const file = new LogFile()
    file.append(text)
    this.#reports.set(name, file)
    for (const oldest of this.#reports.keys()) {
      if (this.#reports.size <= MAX_REPORTS) break
      this.#reports.delete(oldest)
    }
  }

  /** The logs as files of a collected bundle. */
  files(): Record<string, string> {
    const reports = Object.fromEntries([...this.#reports].map(([name, file]) => [name, file.text()]))
    return { ...reports, 'php-error.log': this.#php.text(), 'boot.log': this.#boot.text() }
  }
}
