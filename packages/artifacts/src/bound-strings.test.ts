import { describe, expect, it } from 'vitest'
import { boundStrings, jsonBytes, utf8Length } from './bound-strings.js'
import { truncationMarker } from './bounded-text.js'

describe('boundStrings', () => {
  it('cuts every long string inside a JSON value and counts the strings and bytes cut', () => {
    const long = 'x'.repeat(1_000)
    const result = boundStrings({ a: long, list: [long, 'short'], nested: { b: long } }, 100)
    expect(result.cutStrings).toBe(3)
    expect(result.omittedBytes).toBe(3 * 900)
    expect(result.value.a).toContain(truncationMarker(900))
    expect(result.value.list[1]).toBe('short')
    expect(result.value.nested.b).toBe(result.value.a)
  })

  it('returns the very same objects where nothing was cut', () => {
    const untouched = { keep: ['a', 'b'] }
    const value = { untouched, cut: 'y'.repeat(500) }
    const result = boundStrings(value, 100)
    expect(result.value).not.toBe(value)
    expect(result.value.untouched).toBe(untouched)
    const small = { a: 'b' }
    expect(boundStrings(small, 100)).toEqual({ value: small, omittedBytes: 0, cutStrings: 0 })
    expect(boundStrings(small, 100).value).toBe(small)
  })

  it('keeps a "__proto__" key of parsed JSON as a plain property when it rebuilds the object', () => {
    const value = JSON.parse(`{"__proto__": "kept", "long": "${'z'.repeat(500)}"}`) as Record<string, unknown>
    const result = boundStrings(value, 100)
    expect(Object.hasOwn(result.value, '__proto__')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(result.value, '__proto__')?.value).toBe('kept')
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype)
  })
})

describe('utf8Length and jsonBytes', () => {
  it('count UTF-8 bytes exactly as Buffer does, surrogate pairs included', () => {
    for (const text of ['', 'ascii', 'é', '€', '😀', 'a😀é€\u{10ffff}', '\ud800']) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(Buffer.byteLength(text, 'utf8'))
    }
    const value = { text: 'é😀', list: [1, null] }
    expect(jsonBytes(value)).toBe(Buffer.byteLength(JSON.stringify(value), 'utf8'))
  })
})
