import { afterEach, describe, expect, it } from 'vitest'
import { onInterrupt } from './interrupt-signals.js'

const undos: (() => void)[] = []
afterEach(() => {
  for (const undo of undos.splice(0)) undo()
})

// process.emit runs the listeners as a delivered signal would, without sending one to the test process.
const deliver = (signal: 'SIGINT' | 'SIGTERM') => process.emit(signal, signal)

describe('onInterrupt', () => {
  it('counts a signal that arrives right after another as the same interrupt', () => {
    const counts: number[] = []
    undos.push(onInterrupt((count) => counts.push(count), 10_000))
    deliver('SIGINT')
    deliver('SIGINT')
    deliver('SIGTERM')
    expect(counts).toEqual([1])
  })

  it('counts a later signal as a second interrupt', async () => {
    const counts: number[] = []
    undos.push(onInterrupt((count) => counts.push(count), 20))
    deliver('SIGINT')
    await new Promise((resolve) => setTimeout(resolve, 60))
    deliver('SIGTERM')
    expect(counts).toEqual([1, 2])
  })

  it('stops listening when undone', () => {
    const counts: number[] = []
    const before = process.listenerCount('SIGINT')
    const undo = onInterrupt((count) => counts.push(count))
    expect(process.listenerCount('SIGINT')).toBe(before + 1)
    undo()
    expect(process.listenerCount('SIGINT')).toBe(before)
  })
})
