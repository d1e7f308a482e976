/**
 * `createRuntime({ limits })`: byte caps on the command history, the event history and each `observe()` reader's
 * buffer, with small defaults, on the in-memory reference backend (runtime-core's own behaviour: no PHP involved).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TruncationRecordSchema, verifyBundle } from '@codebox/artifacts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRuntime } from '../src/create-runtime.js'
import { ValidationError } from '../src/errors.js'
import { DEFAULT_RUNTIME_LIMITS } from '../src/runtime-limits.js'
import { inMemoryReferenceBackend } from './in-memory-reference-backend.js'

const KiB = 1024
const MiB = 1024 * KiB
const policy = { commands: { allow: ['memory.*'] } }
const jsonSize = (value: unknown): number => Buffer.byteLength(JSON.stringify(value))

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'codebox-limits-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('runtime limits', () => {
  it('default to small caps for long-lived runtimes: 2 MiB of history, 2 MiB of events, 1 MiB per reader', () => {
    expect(DEFAULT_RUNTIME_LIMITS).toEqual({
      historyBytes: 2 * MiB,
      eventHistoryBytes: 2 * MiB,
      observeBufferBytes: 1 * MiB,
    })
  })

  it('keep a runtime that runs without end within the default caps, and still list every recent command', async () => {
    await using runtime = await createRuntime({
      backend: inMemoryReferenceBackend(),
      policy,
      cleanupOnExit: false,
    })
    const text = 'y'.repeat(32 * KiB)
    for (let i = 0; i < 80; i++) await runtime.execute({ command: 'memory.echo', args: { text } })
    // 80 commands with 32 KiB of args and 32 KiB of output each: 5 MiB through the runtime. What it keeps
    // stays within the defaults: outputs of the oldest went first, then (each record still holds its 32 KiB of
    // args) the oldest records; the newest is whole.
    const history = runtime.history
    expect(jsonSize(history)).toBeLessThanOrEqual(DEFAULT_RUNTIME_LIMITS.historyBytes)
    expect(history.at(-1)).toMatchObject({ index: 79, stdout: { text: `${text}\n`, truncated: false } })
    expect(history[0]!.stdout.truncated).toBe(true)
    expect(history.map((record) => record.index)).toEqual(
      [...Array(history.length).keys()].map((i) => 80 - history.length + i),
    )
  })

  it('are configurable per runtime, and collect marks what the smaller history no longer holds', async () => {
    await using runtime = await createRuntime({
      backend: inMemoryReferenceBackend(),
      policy,
      cleanupOnExit: false,
      limits: { historyBytes: 64 * KiB, eventHistoryBytes: 64 * KiB },
    })
    const text = 'z'.repeat(10 * KiB)
    for (let i = 0; i < 50; i++) await runtime.execute({ command: 'memory.echo', args: { text } })
    const history = runtime.history
    expect(jsonSize(history)).toBeLessThanOrEqual(64 * KiB)
    // Outputs of the oldest commands went first: their records remain, marked.
    expect(history[0]!.stdout.truncated).toBe(true)
    expect(history.at(-1)!.stdout.text).toBe(`${text}\n`)

    const bundle = await runtime.collect({ directory: dir })
    expect((await verifyBundle(bundle.path)).problems).toEqual([])
    const events = (await readFile(join(bundle.path, 'events.jsonl'), 'utf8')).trim().split('\n')
    expect(TruncationRecordSchema.parse(JSON.parse(events[0]!))).toMatchObject({ reason: 'history-cap' })
    const commands = (await readFile(join(bundle.path, 'commands.jsonl'), 'utf8')).trim().split('\n')
    const last = JSON.parse(commands.at(-1)!) as { index: number; stdout: { text: string } }
    expect(last).toMatchObject({ index: 49, stdout: { text: `${text}\n` } })
  })

  it("bound a slow observe() reader's buffer by bytes and tell it how many events it lost", async () => {
    await using runtime = await createRuntime({
      backend: inMemoryReferenceBackend(),
      policy,
      cleanupOnExit: false,
      limits: { observeBufferBytes: 32 * KiB },
    })
    const reader = runtime.observe({ types: ['command.output'] })
    const text = 'w'.repeat(8 * KiB)
    for (let i = 0; i < 20; i++)
      await runtime.execute({ command: 'memory.echo', args: { text: `${i}:${text}` } })
    const first = await reader.next()
    expect(first.value).toMatchObject({ type: 'events.dropped' })
    const lost = (first.value as { count: number }).count
    // 20 chunks of ~8 KiB into a 32 KiB buffer: most went, the newest stayed.
    expect(lost).toBeGreaterThanOrEqual(15)
    const kept: string[] = []
    for (let i = 0; i < 20 - lost; i++) kept.push(((await reader.next()).value as { chunk: string }).chunk)
    expect(kept.at(-1)).toBe(`19:${text}\n`)
    await reader.return?.()
  })

  it('let one reader ask for a larger buffer than the runtime default', async () => {
    await using runtime = await createRuntime({
      backend: inMemoryReferenceBackend(),
      policy,
      cleanupOnExit: false,
      limits: { observeBufferBytes: 16 * KiB },
    })
    const reader = runtime.observe({ types: ['command.output'], maxBufferedBytes: MiB })
    for (let i = 0; i < 20; i++) {
      await runtime.execute({ command: 'memory.echo', args: { text: `${i}:${'v'.repeat(8 * KiB)}` } })
    }
    expect((await reader.next()).value).toMatchObject({ type: 'command.output' })
    await reader.return?.()
  })

  it('refuse a cap that is not a whole number of bytes of at least 1 KiB, naming the field', async () => {
    const error = await createRuntime({
      backend: inMemoryReferenceBackend(),
      policy,
      cleanupOnExit: false,
      limits: { historyBytes: 10 },
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).code).toBe('RUNTIME_OPTIONS_INVALID')
    expect((error as ValidationError).issues).toEqual([
      expect.objectContaining({ path: '$.limits.historyBytes' }),
    ])
  })
})
