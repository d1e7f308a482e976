/**
 * Reads PHP's error log (a file in the VFS, see `error_log` in php.ini) incrementally and turns its
 * entries into structured records with level, file and line.
 *
 * @module
 */
import type { PhpLogEntry } from './php-worker-protocol.js'

const LEVELS: Readonly<Record<string, PhpLogEntry['level']>> = {
  'fatal error': 'fatal',
  'recoverable fatal error': 'fatal',
  'parse error': 'parse',
  warning: 'warning',
  notice: 'notice',
  deprecated: 'deprecated',
}

/** Parses one log entry (possibly multi-line: uncaught exceptions carry a stack trace). */
export function parsePhpLogEntry(raw: string): PhpLogEntry {
  const withoutTime = raw.replace(/^\[[^\]]*\]\s*/, '')
  const match = /^PHP ([A-Za-z ]+?):\s+([\s\S]*)$/.exec(withoutTime)
  const level = match ? (LEVELS[(match[1] ?? '').toLowerCase()] ?? 'other') : 'other'
  const body = match ? (match[2] ?? '') : withoutTime
  const firstLine = body.split('\n')[0] ?? ''
  let file: string | undefined
  let line: number | undefined
  let message = firstLine
  const onLine = / in (\S.*?) on line (\d+)\s*$/.exec(firstLine)
  const colon = / in (\/\S*?):(\d+)\s*$/.exec(firstLine)
  if (onLine) {
    file = onLine[1]
    line = Number(onLine[2])
    message = firstLine.slice(0, onLine.index)
  } else if (colon) {
    file = colon[1]
    line = Number(colon[2])
    message = firstLine.slice(0, colon.index)
  }
  return { level, message: message.trim(), file, line, raw: withoutTime.trimEnd() }
}

/**
 * Splits log text into entries: a new entry starts with a `[timestamp]` prefix, other lines continue
 * the previous entry.
 */
export function parsePhpLog(text: string): PhpLogEntry[] {
  const entries: string[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    if (/^\[[^\]]*\] /.test(line) || entries.length === 0) entries.push(line)
    else entries[entries.length - 1] += `\n${line}`
  }
  return entries.map(parsePhpLogEntry)
}

/** The PHP filesystem calls the error-log tail needs. */
export interface ErrorLogFiles {
  fileExists(path: string): boolean
  readFileAsBuffer(path: string): Uint8Array
  writeFile(path: string, data: string): void
}

/** Reads new entries of a growing error log; see {@link createErrorLogTail}. */
export interface ErrorLogTail {
  /** Entries written since the previous call. */
  drain(): PhpLogEntry[]
}

/** Tails the error log file at `path` through the PHP instance's filesystem API. */
export function createErrorLogTail(php: ErrorLogFiles, path: string): ErrorLogTail {
  let offset = 0
  const decoder = new TextDecoder()
  return {
    drain() {
      if (!php.fileExists(path)) return []
      const bytes = php.readFileAsBuffer(path)
      if (bytes.byteLength < offset) offset = 0
      const fresh = bytes.subarray(offset)
      // Only consume complete lines; a partial last line is read next time.
      const lastNewline = fresh.lastIndexOf(10)
      if (lastNewline < 0) return []
      offset += lastNewline + 1
      const entries = parsePhpLog(decoder.decode(fresh.subarray(0, lastNewline + 1)))
      // Keep the VFS file from growing without bound.
      if (offset === bytes.byteLength && offset > 1024 * 1024) {
        php.writeFile(path, '')
        offset = 0
      }
      return entries
    },
  }
}
