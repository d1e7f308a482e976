/**
 * Bounded sizes against the real Playground runtime: about 100 MB of command output, in a thousand 100 KiB chunks
 * over five commands, passes through runtime-core. Byte counts stay exact, what the runtime keeps stays bounded,
 * and the bundle stays within its caps, says what it cut, and verifies.
 */
import { mkdtemp, readdir, readFile, realpath, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BundleManifest, TruncationRecordSchema, verifyBundle } from '@codebox/artifacts'
import { type PlaygroundCommands, playground } from '@codebox/backend-playground'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const MiB = 1024 * 1024
const COMMANDS = 5
const CHUNKS = 200
const CHUNK_BYTES = 100 * 1024
const FLOOD = "<?php for ($i = 0; $i < 200; $i++) { echo str_repeat('x', 100 << 10); flush(); }"

let work: string
let runtime: Runtime<PlaygroundCommands>

async function bundleBytes(path: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size
  }
  return total
}

async function lines(path: string): Promise<{ type?: string }[]> {
  return (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type?: string })
}

beforeAll(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'codebox-flood-')))
  // Let every byte reach runtime-core: the backend's own output cap would otherwise drop most of the flood. The
  // runtime keeps histories large enough to hold the flood's kept output (the small defaults for long-lived
  // runtimes would already have replaced it with markers), so what is cut here is cut by the bundle's own caps.
  runtime = await createRuntime({
    backend: playground({ maxOutputBytes: 24 * MiB }),
    policy: { commands: { allow: ['wordpress.*'] } },
    limits: { historyBytes: 64 * MiB, eventHistoryBytes: 32 * MiB },
  })
  for (let i = 0; i < COMMANDS; i++) {
    const result = await runtime.execute({
      command: 'wordpress.run-php',
      args: { bootstrap: 'none', code: FLOOD },
      timeoutMs: 120_000,
    })
    expect(result.status).toBe('ok')
    expect(result.stdoutBytes).toBe(CHUNKS * CHUNK_BYTES)
    expect(result.truncated).toBe(true)
    expect(Buffer.byteLength(result.stdout)).toBeLessThan(1.1 * MiB)
  }
}, 240_000)

afterAll(async () => {
  await runtime?.destroy()
  await rm(work, { recursive: true, force: true })
})

describe('a flood of ~100 MB of command output', () => {
  it('leaves the runtime holding a bounded history with exact byte counts', () => {
    const history = runtime.history
    expect(history).toHaveLength(COMMANDS)
    for (const record of history) expect(record.stdout.totalBytes).toBe(CHUNKS * CHUNK_BYTES)
    expect(Buffer.byteLength(JSON.stringify(history))).toBeLessThan(COMMANDS * 1.1 * MiB)
  })

  it('gives a bundle within the default caps that records what the event history dropped', async () => {
    const bundle = await runtime.collect({ directory: work })
    expect((await verifyBundle(bundle.path)).problems).toEqual([])
    const events = join(bundle.path, 'events.jsonl')
    expect((await stat(events)).size).toBeLessThanOrEqual(32 * MiB)
    expect(await bundleBytes(bundle.path)).toBeLessThan(40 * MiB)
    // A thousand 64 KiB-cut chunks exceed the 32 MiB event history: the oldest went, and the file says so first.
    const [first] = await lines(events)
    expect(TruncationRecordSchema.parse(first)).toMatchObject({ reason: 'history-cap' })
    const manifest = JSON.parse(await readFile(join(bundle.path, 'manifest.json'), 'utf8')) as BundleManifest
    expect(manifest.truncation.records).toBeGreaterThan(0)
  }, 60_000)

  it('cuts commands.jsonl and events.jsonl to tighter caps with explicit records and counts', async () => {
    const limits = { maxCommandsBytes: 2 * MiB, maxEventsBytes: 2 * MiB, maxOutputBytes: 512 * 1024 }
    const bundle = await runtime.collect({ directory: work, limits })
    expect((await verifyBundle(bundle.path)).problems).toEqual([])
    const commands = join(bundle.path, 'commands.jsonl')
    const events = join(bundle.path, 'events.jsonl')
    expect((await stat(commands)).size).toBeLessThanOrEqual(limits.maxCommandsBytes)
    expect((await stat(events)).size).toBeLessThanOrEqual(limits.maxEventsBytes)
    expect(await bundleBytes(bundle.path)).toBeLessThan(5 * MiB)

    // Every command is still listed; the middle ones lost their output to the marker.
    const records = (await lines(commands)) as {
      index: number
      stdout: { text: string; truncated: boolean }
    }[]
    expect(records.map((record) => record.index)).toEqual([0, 1, 2, 3, 4])
    expect(records[2]!.stdout.text).toBe(`\n[codebox: ${CHUNKS * CHUNK_BYTES} bytes truncated]\n`)
    expect(records[0]!.stdout.text).toMatch(/^x+\n\[codebox: \d+ bytes truncated\]\nx+$/)

    const eventLines = await lines(events)
    const markers = eventLines
      .filter((line) => line.type === 'codebox.truncated')
      .map((line) => TruncationRecordSchema.parse(line).reason)
    expect(markers).toEqual(['history-cap', 'file-cap'])
    const manifest = JSON.parse(await readFile(join(bundle.path, 'manifest.json'), 'utf8')) as BundleManifest
    expect(manifest.truncation.strings).toBeGreaterThan(0)
    expect(manifest.truncation.records).toBeGreaterThan(0)
  }, 60_000)
})
