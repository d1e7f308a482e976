import { describe, expect, it } from 'vitest'
import { BoundedLog } from './bounded-log.js'

describe('BoundedLog', () => {
  it('drops the oldest records beyond maxRecords and counts them with their bytes', () => {
    const log = new BoundedLog<number>({ maxRecords: 3, maxBytes: 1_000 })
    for (let i = 1; i <= 5; i++) log.push(i, 10 * i)
    expect(log.records).toEqual([3, 4, 5])
    expect(log.length).toBe(3)
    expect(log.bytes).toBe(30 + 40 + 50)
    expect(log.dropped).toEqual({ records: 2, bytes: 10 + 20 })
  })

  it('drops the oldest records beyond maxBytes but always keeps the newest, however large', () => {
    const log = new BoundedLog<string>({ maxRecords: 100, maxBytes: 100 })
    log.push('a', 40)
    log.push('b', 40)
    log.push('c', 40)
    expect(log.records).toEqual(['b', 'c'])
    log.push('huge', 500)
    expect(log.records).toEqual(['huge'])
    expect(log.bytes).toBe(500)
    expect(log.dropped).toEqual({ records: 3, bytes: 120 })
  })

  it('replaces a kept record in place, adjusting the bytes it holds', () => {
    const log = new BoundedLog<string>({ maxRecords: 10, maxBytes: 1_000 })
    log.push('first', 100)
    log.push('second', 100)
    log.replace(0, 'lean', 10)
    expect(log.records).toEqual(['lean', 'second'])
    expect(log.at(0)).toBe('lean')
    expect(log.bytes).toBe(110)
    expect(() => log.replace(2, 'none', 1)).toThrow(RangeError)
    expect(log.at(2)).toBeUndefined()
  })

  it('stays correct across its internal compaction of many dropped records', () => {
    const log = new BoundedLog<number>({ maxRecords: 10, maxBytes: Number.MAX_SAFE_INTEGER })
    for (let i = 0; i < 5_000; i++) log.push(i, 1)
    expect(log.records).toEqual([...Array(10).keys()].map((i) => 4_990 + i))
    expect(log.at(0)).toBe(4_990)
    expect(log.dropped).toEqual({ records: 4_990, bytes: 4_990 })
    expect(log.bytes).toBe(10)
  })
})
