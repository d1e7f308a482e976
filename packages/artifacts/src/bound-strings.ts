import { boundText } from './bounded-text.js'

/** What {@link boundStrings} returns. */
export interface BoundedStrings<T> {
  /** The value with every long string cut; the very same value (and objects) where nothing was cut. */
  readonly value: T
  /** Bytes cut out of all strings together. */
  readonly omittedBytes: number
  /** How many strings were cut. */
  readonly cutStrings: number
}

/**
 * Cuts every string inside a JSON-like value to `maxBytes` of UTF-8 (head and tail around the explicit
 * `[codebox: N bytes truncated]` marker). Objects and arrays holding no cut string are returned as they are.
 * Redact before bounding: a complete string has no secret straddling a cut.
 *
 * Shared by the bundle writer (every string of a JSON document) and runtime-core's histories (command args,
 * kept events), so a string is cut the same way wherever a cap applies.
 *
 * @example
 * const { value, cutStrings } = boundStrings({ args: { code: hugeScript } }, 64 * 1024)
 */
export function boundStrings<T>(value: T, maxBytes: number): BoundedStrings<T> {
  let omittedBytes = 0
  let cutStrings = 0
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') {
      // A UTF-16 length at most maxBytes / 3 cannot exceed maxBytes of UTF-8: skip the byte count.
      if (item.length * 3 <= maxBytes) return item
      const cut = boundText(item, maxBytes)
      if (!cut.truncated) return item
      omittedBytes += cut.omittedBytes
      cutStrings += 1
      return cut.text
    }
    if (Array.isArray(item)) {
      const next = item.map(walk)
      return next.some((entry, i) => entry !== item[i]) ? next : item
    }
    if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item)
      const next = entries.map(([key, entry]) => [key, walk(entry)] as const)
      // fromEntries, not assignment: a "__proto__" key stays an own property.
      return next.some(([, entry], i) => entry !== entries[i]?.[1]) ? Object.fromEntries(next) : item
    }
    return item
  }
  return { value: walk(value) as T, omittedBytes, cutStrings }
}

/** UTF-8 byte length of a string, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    if (code < 0x800) bytes += 1
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 2 // a surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes
      i++
    } else bytes += 2
  }
  return bytes
}

/** UTF-8 size of a JSON-serialisable value as one JSON line would hold it. */
export function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? '')
}
