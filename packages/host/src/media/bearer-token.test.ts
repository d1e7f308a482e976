import { describe, expect, it } from 'vitest'
import { bearerTokenOf, tokenMatches } from './bearer-token.js'

describe('bearer tokens', () => {
  it('reads the token of a Bearer header only', () => {
    expect(bearerTokenOf('Bearer abc.DEF-123')).toBe('abc.DEF-123')
    expect(bearerTokenOf('bearer   abc')).toBe('abc')
    expect(bearerTokenOf('Basic abc')).toBeUndefined()
    expect(bearerTokenOf(undefined)).toBeUndefined()
  })

  it('matches only the exact token, whatever the lengths, and never an unset one', () => {
    expect(tokenMatches('s3cret', 's3cret')).toBe(true)
    expect(tokenMatches('s3cre', 's3cret')).toBe(false)
    expect(tokenMatches('s3cret-and-more', 's3cret')).toBe(false)
    expect(tokenMatches(undefined, 's3cret')).toBe(false)
    expect(tokenMatches('', '')).toBe(false)
    expect(tokenMatches('x', undefined)).toBe(false)
  })
})
