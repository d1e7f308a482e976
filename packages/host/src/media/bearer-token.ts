import { createHash, timingSafeEqual } from 'node:crypto'

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const match = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(header)
  return match?.[1]
}

/**
 * Compares a presented token with the expected one in constant time: both are hashed first, so neither their
 * contents nor their lengths change how long the comparison takes. An empty expected token matches nothing.
 */
export function tokenMatches(presented: string | undefined, expected: string | undefined): boolean {
  if (!expected || presented === undefined) {
    // Still hash once, so a missing header costs what a wrong one costs.
    createHash('sha256')
      .update(presented ?? '')
      .digest()
    return false
  }
  const a = createHash('sha256').update(presented).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}
