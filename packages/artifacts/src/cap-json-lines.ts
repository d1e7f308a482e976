import type { TruncationRecord } from './schemas.js'
import { stableStringify } from './stable-json.js'

/** JSON lines cut to a byte cap. */
export interface CappedJsonLines {
  /** The kept lines (each ending in `\n`), with one truncation record where the middle was cut. */
  readonly lines: readonly string[]
  readonly omittedRecords: number
  readonly omittedBytes: number
}

/** One JSON line (with its newline) standing in for omitted records. */
export function truncationLine(
  reason: TruncationRecord['reason'],
  omittedRecords: number,
  omittedBytes: number,
): string {
  const record: TruncationRecord = { type: 'codebox.truncated', reason, omittedRecords, omittedBytes }
  return `${stableStringify(record)}\n`
}

/**
 * Keeps the first and the last lines of a JSON-lines file within `maxBytes` and replaces the middle by one
 * `file-cap` truncation record, so the file (marker included) never exceeds `maxBytes`. Lines are never split.
 * The head gets half of the budget; the tail gets the rest.
 *
 * @param lines - serialised lines, each ending in `\n`.
 */
export function capJsonLines(lines: readonly string[], maxBytes: number): CappedJsonLines {
  const sizes = lines.map((line) => Buffer.byteLength(line, 'utf8'))
  const total = sizes.reduce((sum, size) => sum + size, 0)
  if (total <= maxBytes) return { lines, omittedRecords: 0, omittedBytes: 0 }
  // The marker's own size with the largest numbers it could carry, so the final file fits whatever it says.
  const reserve = Buffer.byteLength(truncationLine('file-cap', lines.length, total), 'utf8')
  const budget = Math.max(0, maxBytes - reserve)
  let head = 0
  let headBytes = 0
  while (head < lines.length && headBytes + sizes[head]! <= Math.floor(budget / 2))
    headBytes += sizes[head++]!
  let tail = lines.length
  let tailBytes = 0
  while (tail > head && headBytes + tailBytes + sizes[tail - 1]! <= budget) tailBytes += sizes[--tail]!
  const omittedRecords = tail - head
  const omittedBytes = total - headBytes - tailBytes
  return {
    lines: [
      ...lines.slice(0, head),
      truncationLine('file-cap', omittedRecords, omittedBytes),
      ...lines.slice(tail),
    ],
    omittedRecords,
    omittedBytes,
  }
}
