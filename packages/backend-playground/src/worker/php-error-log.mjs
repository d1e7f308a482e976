// @ts-check
/**
 * Reads PHP's error log (a file in the VFS, see `error_log` in php.ini) incrementally and turns its
 * entries into structured records with level, file and line.
 */

/** @typedef {import('./php-worker-protocol.js').PhpLogEntry} PhpLogEntry */

/** @type {Record<string, PhpLogEntry['level']>} */
const LEVELS = {
  'fatal error': 'fatal',
  'recoverable fatal error': 'fatal',
  'parse error': 'parse',
  warning: 'warning',
  notice: 'notice',
  deprecated: 'deprecated',
}

/**
 * Parses one log entry (possibly multi-line: uncaught exceptions carry a stack trace).
 *
 * @param {string} raw
 * @returns {PhpLogEntry}
 */
export function parsePhpLogEntry(raw) {
  const withoutTime = raw.replace(/^\[[^\]]*\]\s*/, '')
  const match = /^PHP ([A-Za-z ]+?):\s+([\s\S]*)$/.exec(withoutTime)
  const level = match ? (LEVELS[(match[1] ?? '').toLowerCase()] ?? 'other') : 'other'
  const body = match ? (match[2] ?? '') : withoutTime
  const firstLine = body.split('\n')[0] ?? ''
  /** @type {string | undefined} */
  let file
  /** @type {number | undefined} */
  let line
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
 *
 * @param {string} text
 * @returns {PhpLogEntry[]}
 */
export function parsePhpLog(text) {
  /** @type {string[]} */
  const entries = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    if (/^\[[^\]]*\] /.test(line) || entries.length === 0) entries.push(line)
    else entries[entries.length - 1] += `\n${line}`
  }
  return entries.map(parsePhpLogEntry)
}

/**
 * Tails the error log file through the PHP instance's filesystem API.
 *
 * @param {{ fileExists(path: string): boolean, readFileAsBuffer(path: string): Uint8Array, writeFile(path: string, data: string): void }} php
 * @param {string} path
 */
export function createErrorLogTail(php, path) {
  let offset = 0
  const decoder = new TextDecoder()
  return {
    /** @returns {PhpLogEntry[]} entries written since the previous call */
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
