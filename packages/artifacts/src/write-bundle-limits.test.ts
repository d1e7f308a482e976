import { mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { sampleInput } from '../test-fixtures/sample-input.js'
import { createRedactor } from './redactor.js'
import { CommandRecordSchema, TruncationRecordSchema } from './schemas.js'
import { verifyBundle } from './verify-bundle.js'
import { writeBundle } from './write-bundle.js'

const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'codebox-limits-'))
const SECRET = 'conn-secret-7f3a9c1e5b'
const SNAPSHOT = 'snapshot/runtime-snapshot.bin'

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

const readLines = async (path: string): Promise<unknown[]> =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown)

describe('the snapshot in a bundle', () => {
  test('is left out, with the reason in the manifest, while any secret is declared', async () => {
    const dir = await tempDir()
    const input = sampleInput()
    // What a real snapshot looks like to a byte matcher: the secret compressed inside, invisible.
    input.snapshot = gzipSync(Buffer.from(`INSERT INTO wp_options VALUES ('connector', '${SECRET}')`))
    const redactor = createRedactor({ secrets: { CONNECTOR_TOKEN: SECRET } })
    const written = await writeBundle(input, { directory: dir, redactor })
    expect(await exists(join(written.path, SNAPSHOT))).toBe(false)
    expect(written.manifest.omitted).toEqual([
      expect.objectContaining({
        path: SNAPSHOT,
        reason: 'secrets-declared',
        size: input.snapshot.byteLength,
      }),
    ])
    expect(written.manifest.omitted?.[0]?.detail).toContain('CONNECTOR_TOKEN')
    expect(written.omitted).toEqual(written.manifest.omitted)
    expect((await verifyBundle(written.path)).problems).toEqual([])
  })

  test('is stored byte for byte when no secret is declared and no credential shape is inside', async () => {
    const dir = await tempDir()
    const input = sampleInput()
    const snapshot = gzipSync(Buffer.from('plain site data '.repeat(1000)))
    input.snapshot = snapshot
    const written = await writeBundle(input, { directory: dir })
    expect(Buffer.compare(await readFile(join(written.path, SNAPSHOT)), snapshot)).toBe(0)
    expect(written.manifest.omitted).toBeUndefined()
  })

  test('is left out when a credential shape hides inside its compressed bytes', async () => {
    const dir = await tempDir()
    const input = sampleInput()
    input.snapshot = gzipSync(Buffer.from(`token=ghp_${'a1B2c3D4e5'.repeat(4)}`))
    const written = await writeBundle(input, { directory: dir })
    expect(await exists(join(written.path, SNAPSHOT))).toBe(false)
    expect(written.omitted.map((o) => o.reason)).toEqual(['credential-shape'])
  })

  test('is left out as too large when it decompresses past the limit', async () => {
    const dir = await tempDir()
    const input = sampleInput()
    input.snapshot = gzipSync(Buffer.alloc(1024 * 1024))
    const written = await writeBundle(input, { directory: dir, limits: { maxSnapshotBytes: 64 * 1024 } })
    expect(written.omitted.map((o) => o.reason)).toEqual(['too-large'])
    expect(written.manifest.truncation.files).toBe(1)
  })
})

describe('commands.jsonl and events.jsonl byte caps', () => {
  const manyCommands = (count: number, outputBytes: number) => {
    const input = sampleInput()
    const template = input.commands[0]!
    input.commands = Array.from({ length: count }, (_, i) => ({
      ...template,
      id: `cmd-${i}`,
      index: i,
      stdout: `${i}:${'o'.repeat(outputBytes)}`,
      stderr: '',
    }))
    return input
  }

  test('drop middle outputs first, keeping every record and the outputs of the first and last commands', async () => {
    const dir = await tempDir()
    const maxCommandsBytes = 200_000
    const written = await writeBundle(manyCommands(40, 30_000), {
      directory: dir,
      limits: { maxCommandsBytes },
    })
    const path = join(written.path, 'commands.jsonl')
    expect((await stat(path)).size).toBeLessThanOrEqual(maxCommandsBytes)
    const records = (await readLines(path)).map((line) => CommandRecordSchema.parse(line))
    expect(records.map((r) => r.index)).toEqual([...Array(40).keys()])
    expect(records[0]!.stdout.truncated).toBe(false)
    expect(records[39]!.stdout.truncated).toBe(false)
    expect(records[20]!.stdout).toMatchObject({
      text: '\n[codebox: 30003 bytes truncated]\n',
      totalBytes: 30_003,
      truncated: true,
      omittedBytes: 30_003,
    })
    expect(written.manifest.truncation.strings).toBeGreaterThan(30)
    expect((await verifyBundle(written.path)).problems).toEqual([])
  })

  test('cut records from the middle with one truncation record when the records alone are too large', async () => {
    const dir = await tempDir()
    const input = manyCommands(400, 10)
    input.commands = input.commands.map((c) => ({ ...c, args: { code: 'x'.repeat(2_000) } }))
    const written = await writeBundle(input, { directory: dir, limits: { maxCommandsBytes: 100_000 } })
    const path = join(written.path, 'commands.jsonl')
    expect((await stat(path)).size).toBeLessThanOrEqual(100_000)
    const lines = await readLines(path)
    const markers = lines.filter((line) => (line as { type?: string }).type === 'codebox.truncated')
    expect(markers).toHaveLength(1)
    const marker = TruncationRecordSchema.parse(markers[0])
    expect(marker.reason).toBe('file-cap')
    expect(marker.omittedRecords + lines.length - 1).toBe(400)
    expect((lines[0] as { index: number }).index).toBe(0)
    expect((lines.at(-1) as { index: number }).index).toBe(399)
    expect(written.manifest.truncation.records).toBe(marker.omittedRecords)
    expect((await verifyBundle(written.path)).problems).toEqual([])
  })

  test('events.jsonl keeps its head and tail around one truncation record', async () => {
    const dir = await tempDir()
    const input = sampleInput()
    input.events = Array.from({ length: 5_000 }, (_, i) => ({
      type: 'log',
      seq: i,
      message: 'm'.repeat(100),
    }))
    const written = await writeBundle(input, { directory: dir, limits: { maxEventsBytes: 64 * 1024 } })
    const path = join(written.path, 'events.jsonl')
    expect((await stat(path)).size).toBeLessThanOrEqual(64 * 1024)
    const lines = (await readLines(path)) as { type: string; seq?: number; omittedRecords?: number }[]
    const at = lines.findIndex((line) => line.type === 'codebox.truncated')
    expect(lines[0]!.seq).toBe(0)
    expect(lines.at(-1)!.seq).toBe(4_999)
    expect(lines[at]!.omittedRecords! + lines.length - 1).toBe(5_000)
    expect((await verifyBundle(written.path)).problems).toEqual([])
  })

  test('records the producer already dropped as a history-cap record at the top of each file', async () => {
    const dir = await tempDir()
    const input = {
      ...sampleInput(),
      dropped: { commands: { records: 7, bytes: 7_000 }, events: { records: 90, bytes: 9_000 } },
    }
    const written = await writeBundle(input, { directory: dir })
    for (const [file, records] of [
      ['commands.jsonl', 7],
      ['events.jsonl', 90],
    ] as const) {
      const [first] = await readLines(join(written.path, file))
      expect(TruncationRecordSchema.parse(first)).toMatchObject({
        reason: 'history-cap',
        omittedRecords: records,
      })
    }
    expect(written.manifest.truncation.records).toBe(97)
    expect((await verifyBundle(written.path)).problems).toEqual([])
  })

  test('a cap too small to hold a truncation record is refused', async () => {
    const dir = await tempDir()
    await expect(
      writeBundle(sampleInput(), { directory: dir, limits: { maxEventsBytes: 100 } }),
    ).rejects.toMatchObject({ code: 'BUNDLE_INPUT_INVALID' })
  })
})
