import { createHash } from 'node:crypto'

/** Serialises JSON with object keys sorted recursively, so equal values always give equal bytes. */
export function stableStringify(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent)
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = sortKeys(v)
    }
    return out
  }
  return value
}

/** Lower-case hex SHA-256 of bytes or a UTF-8 string. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Formats a JSON path such as `$.a[2].b` from zod-style path segments. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  let out = '$'
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : `.${String(s)}`
  return out
}
