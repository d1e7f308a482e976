import { describe, expect, it } from 'vitest'
import { PolicyError, PolicyValidationError } from './errors.js'

describe('PolicyError', () => {
  it('carries the cross-package codebox brand, a code and a JSON form', () => {
    const cause = new Error('root')
    const error = new PolicyError('SOMETHING', 'went wrong', { details: { a: 1 }, cause })
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('codebox.error')]).toBe(true)
    expect(error.cause).toBe(cause)
    expect(error).toBeInstanceOf(Error)
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'PolicyError',
      code: 'SOMETHING',
      message: 'went wrong',
      details: { a: 1 },
    })
  })

  it('gives subclasses their own name in String() and stack', () => {
    const error = new PolicyValidationError('policy', [{ path: '$.x', message: 'bad' }])
    expect(String(error)).toBe('PolicyValidationError: Invalid policy (1 issue):\n  - $.x: bad')
    expect(error.stack?.split('\n')[0]).toBe('PolicyValidationError: Invalid policy (1 issue):')
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('codebox.error')]).toBe(true)
  })
})
