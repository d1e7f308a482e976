import { describe, expect, test } from 'vitest'
import { BoundedBuffer, boundText, truncationMarker } from './bounded-text.js'
import { createRedactor } from './redactor.js'

describe('BoundedBuffer', () => {
  test('output within the budget is kept verbatim', () => {
    const b = new BoundedBuffer({ maxBytes: 100 })
    b.push('hello ')
    b.push(new TextEncoder().encode('world'))
    expect(b.toBoundedText()).toEqual({
      text: 'hello world',
      totalBytes: 11,
      truncated: false,
      omittedBytes: 0,
    })
  })

  test('longer output keeps head and tail around an explicit marker with byte counts', () => {
    const b = new BoundedBuffer({ maxBytes: 10 })
    for (const c of 'abcdefghijklmnopqrstuvwxyz') b.push(c)
    const out = b.toBoundedText()
    expect(out).toEqual({
      text: `abcde${truncationMarker(16)}vwxyz`,
      totalBytes: 26,
      truncated: true,
      omittedBytes: 16,
    })
  })

  test('head mode keeps only the beginning', () => {
    const b = new BoundedBuffer({ maxBytes: 4, keep: 'head' })
    b.push('abcdefgh')
    expect(b.toBoundedText().text).toBe(`abcd${truncationMarker(4)}`)
  })

  test('a multi-byte character cut at the edge is dropped, not garbled', () => {
    const b = new BoundedBuffer({ maxBytes: 6 })
    b.push('ab€€€cd') // € is 3 bytes
    const out = b.toBoundedText()
    expect(out.text).not.toContain('\uFFFD')
    expect(out.totalBytes).toBe(13)
    expect(out.text.startsWith('ab')).toBe(true)
    expect(out.text.endsWith('€cd') || out.text.endsWith('cd')).toBe(true)
  })

  test('a declared secret straddling the cut never survives in part', () => {
    const secret = 'split-across-the-cut'
    const r = createRedactor({ secrets: { S: secret } })
    for (let shift = 0; shift < secret.length; shift++) {
      const b = new BoundedBuffer({ maxBytes: 40 })
      b.push(`${'h'.repeat(20 - shift)}${secret}${'m'.repeat(100)}${secret}${'t'.repeat(20 - shift)}`)
      const out = b.toBoundedText({ redactor: r })
      for (let k = 6; k <= secret.length; k++) {
        for (let i = 0; i + k <= secret.length; i++) expect(out.text).not.toContain(secret.slice(i, i + k))
      }
      expect(out.omittedBytes).toBeGreaterThan(0)
    }
  })

  test('a gigabyte of output passes through in bounded memory', () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61)
    const b = new BoundedBuffer({ maxBytes: 64 * 1024 })
    const before = process.memoryUsage().rss
    const started = Date.now()
    for (let i = 0; i < 1024; i++) b.push(chunk)
    const grown = process.memoryUsage().rss - before
    const out = b.toBoundedText()
    expect(out.totalBytes).toBe(1024 * 1024 * 1024)
    expect(out.omittedBytes).toBe(1024 * 1024 * 1024 - 64 * 1024)
    expect(Buffer.byteLength(out.text)).toBeLessThan(64 * 1024 + 100)
    expect(grown).toBeLessThan(64 * 1024 * 1024)
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})

describe('boundText', () => {
  test('cuts long strings to the budget with a marker and leaves short ones alone', () => {
    expect(boundText('short', 10)).toEqual({
      text: 'short',
      totalBytes: 5,
      truncated: false,
      omittedBytes: 0,
    })
    const out = boundText('0123456789abcdef', 8)
    expect(out).toEqual({
      text: `0123${truncationMarker(8)}cdef`,
      totalBytes: 16,
      truncated: true,
      omittedBytes: 8,
    })
  })
})
