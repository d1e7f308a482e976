import { truncationMarker } from '@codebox/artifacts'
import { describe, expect, it } from 'vitest'
import { CommandHistory } from '../src/command-history.js'
import { EventHub } from '../src/event-hub.js'
import type { RuntimeEvent } from '../src/events.js'
import type { CommandRecord } from '../src/runtime.js'

const MiB = 1024 * 1024
const jsonSize = (value: unknown): number => Buffer.byteLength(JSON.stringify(value))

function output(text: string) {
  return { text, totalBytes: Buffer.byteLength(text), truncated: false, omittedBytes: 0 }
}

function record(index: number, stdout: string, args: unknown = { text: 'x' }): CommandRecord {
  return {
    id: `c${index}`,
    index,
    command: 'memory.echo',
    args,
    status: 'ok',
    exitCode: 0,
    startedAt: '2024-01-01T00:00:00.000Z',
    finishedAt: '2024-01-01T00:00:00.001Z',
    durationMs: 1,
    stdout: output(stdout),
    stderr: output(''),
  }
}

describe('the event history', () => {
  it('keeps at most maxBytes of events however much output streams through it', () => {
    const hub = new EventHub('rt', (event) => event, { maxBytes: 2 * MiB, maxStringBytes: 64 * 1024 })
    const live: RuntimeEvent[] = []
    hub.on('command.output', (event) => live.push(event))
    const chunk = 'x'.repeat(MiB)
    for (let i = 0; i < 100; i++)
      hub.emit({ type: 'command.output', commandId: 'c', stream: 'stdout', chunk })
    // Listeners get the whole chunk; the history keeps a marked 64 KiB cut of it.
    expect((live[0] as { chunk: string }).chunk.length).toBe(MiB)
    const kept = hub.history as (RuntimeEvent & { chunk: string })[]
    expect(kept[0]!.chunk).toContain(truncationMarker(MiB - 64 * 1024))
    expect(jsonSize(kept)).toBeLessThanOrEqual(2 * MiB)
    expect(hub.historyBytes).toBeLessThanOrEqual(2 * MiB)
    expect(kept.length + hub.droppedFromHistory).toBe(100)
    expect(hub.droppedFromHistory).toBeGreaterThan(60)
    expect(hub.droppedHistoryBytes).toBeGreaterThan(60 * 64 * 1024)
    // The newest survive.
    expect(kept.at(-1)!.seq).toBe(100)
  })

  it('still caps by count', () => {
    const hub = new EventHub('rt', (event) => event, { maxEvents: 10 })
    for (let i = 0; i < 5_000; i++) hub.emit({ type: 'log', level: 'info', message: `m${i}`, source: 't' })
    expect(hub.history.map((event) => event.seq)).toEqual([...Array(10).keys()].map((i) => 4_991 + i))
    expect(hub.droppedFromHistory).toBe(4_990)
  })

  it('tells a replaying reader first how many of the oldest events are gone', async () => {
    const hub = new EventHub('rt', (event) => event, { maxEvents: 3 })
    for (let i = 0; i < 8; i++) hub.emit({ type: 'log', level: 'info', message: `m${i}`, source: 't' })
    const reader = hub.observe({ replay: true })
    const first = await reader.next()
    expect(first.value).toMatchObject({ type: 'events.dropped', count: 5 })
    expect((await reader.next()).value).toMatchObject({ type: 'log', message: 'm5' })
    await reader.return?.()
  })
})

describe('the command history', () => {
  it('drops the outputs of the oldest commands first, keeping every record', () => {
    const history = new CommandHistory({ maxBytes: 3 * MiB })
    for (let i = 0; i < 20; i++) history.push(record(i, 'o'.repeat(MiB / 2)))
    const records = history.records
    expect(records.map((r) => r.index)).toEqual([...Array(20).keys()])
    expect(history.bytes).toBeLessThanOrEqual(3 * MiB)
    expect(jsonSize(records)).toBeLessThanOrEqual(3 * MiB + 100)
    expect(records[0]!.stdout).toEqual({
      text: truncationMarker(MiB / 2),
      totalBytes: MiB / 2,
      truncated: true,
      omittedBytes: MiB / 2,
    })
    expect(records.at(-1)!.stdout.text.length).toBe(MiB / 2)
    expect(history.dropped).toEqual({ records: 0, bytes: 0 })
  })

  it('drops the oldest records, counted, once the records alone exceed the budget', () => {
    const history = new CommandHistory({ maxBytes: 256 * 1024, maxStringBytes: 1024 })
    for (let i = 0; i < 2_000; i++) history.push(record(i, 'out', { code: 'c'.repeat(10_000) }))
    const records = history.records
    expect(history.bytes).toBeLessThanOrEqual(256 * 1024)
    expect((records[0]!.args as { code: string }).code).toContain('bytes truncated]')
    expect(records.at(-1)!.index).toBe(1_999)
    expect(history.dropped.records + records.length).toBe(2_000)
    expect(history.dropped.bytes).toBeGreaterThan(0)
  })
})
