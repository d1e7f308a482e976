import { boundText } from '@codebox/artifacts'

/**
 * Cuts every string inside a JSON-like value to `maxBytes` of UTF-8 (head and tail around the explicit
 * `[codebox: N bytes truncated]` marker). Returns the same value when nothing was cut, and how many bytes were.
 * Internal to runtime-core: it keeps what the histories hold bounded.
 */
export function boundStrings<T>(
  value: T,
  maxBytes: number,
): { readonly value: T; readonly omittedBytes: number } {
  let omittedBytes = 0
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') {
      // A UTF-16 length at most maxBytes / 3 cannot exceed maxBytes of UTF-8: skip the byte count.
      if (item.length * 3 <= maxBytes) return item
      const cut = boundText(item, maxBytes)
      omittedBytes += cut.omittedBytes
      return cut.text
    }
    if (Array.isArray(item)) {
      const next = item.map(walk)
      return next.some((entry, i) => entry !== item[i]) ? next : item
    }
    if (item !== null && typeof item === 'object') {
      let changed = false
      const next: Record<string, unknown> = {}
      for (const [key, entry] of Object.entries(item)) {
        next[key] = walk(entry)
        if (next[key] !== entry) changed = true
      }
      return changed ? next : item
    }
    return item
  }
  const bounded = walk(value) as T
  return { value: bounded, omittedBytes }
}

/** UTF-8 byte length of a string, without allocating (runtime-core uses no Node-only `Buffer`). */
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
