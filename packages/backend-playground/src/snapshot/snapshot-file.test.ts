import { randomBytes } from 'node:crypto'
import { gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { decodeSnapshot, encodeSnapshot, SnapshotFormatError } from './snapshot-file.js'

const layers = { core: `sha256:${'a'.repeat(64)}`, sqlite: `sha256:${'b'.repeat(64)}`, plugins: [] }

async function sample(): Promise<Uint8Array> {
  return encodeSnapshot(
    {
      id: 'snap_1',
      createdAt: '2026-01-01T00:00:00.000Z',
      backend: 'playground',
      php: '8.3',
      wordpress: '6.5.5',
      layers,
      deleted: [],
    },
    new Map([
      ['wp-content/database/.ht.sqlite', new Uint8Array(4096).fill(7)],
      ['wp-content/uploads/note.txt', new TextEncoder().encode('hello')],
    ]),
  )
}

describe('snapshot files', () => {
  it('round-trips, byte-identical for equal content', async () => {
    const [a, b] = await Promise.all([sample(), sample()])
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
    const decoded = await decodeSnapshot(a)
    expect([...decoded.files.keys()].sort()).toEqual([
      'wp-content/database/.ht.sqlite',
      'wp-content/uploads/note.txt',
    ])
  })

  it('refuses every corruption with SnapshotFormatError and never throws from a stream later', async () => {
    const bytes = await sample()
    const original = await decodeSnapshot(bytes)
    for (let at = 0; at < bytes.length; at += 7) {
      const altered = new Uint8Array(bytes)
      altered[at] = (altered[at] as number) ^ 0x5a
      const outcome = await decodeSnapshot(altered).then(
        (decoded) => decoded,
        (error: unknown) => error,
      )
      if (outcome instanceof SnapshotFormatError) continue
      // Only gzip header fields that carry no content (mtime, flags, OS) may change without a refusal.
      expect(outcome).toEqual(original)
    }
  })

  it('refuses a corrupt multi-chunk snapshot without an uncaught stream error', async () => {
    // Large and incompressible, so inflating spans many chunks and the corruption is found mid-stream.
    const bytes = await encodeSnapshot(
      {
        id: 'snap_2',
        createdAt: '2026-01-01T00:00:00.000Z',
        backend: 'playground',
        php: '8.3',
        wordpress: '6.5.5',
        layers,
        deleted: [],
      },
      new Map([['wp-content/database/.ht.sqlite', new Uint8Array(randomBytes(3 * 1024 * 1024))]]),
    )
    for (const fraction of [0.25, 0.5, 0.75, 0.99]) {
      const altered = new Uint8Array(bytes)
      const at = Math.floor(altered.length * fraction)
      altered[at] = (altered[at] as number) ^ 0xff
      await expect(decodeSnapshot(altered)).rejects.toBeInstanceOf(SnapshotFormatError)
    }
    // Give a late stream error the chance to surface as an uncaught exception (vitest fails the run on one).
    await new Promise((resolve) => setTimeout(resolve, 200))
  })

  it('refuses a valid gzip around a truncated tar without an uncaught stream error', async () => {
    const bytes = await encodeSnapshot(
      {
        id: 'snap_3',
        createdAt: '2026-01-01T00:00:00.000Z',
        backend: 'playground',
        php: '8.3',
        wordpress: '6.5.5',
        layers,
        deleted: [],
      },
      new Map([['wp-content/database/.ht.sqlite', new Uint8Array(randomBytes(256 * 1024))]]),
    )
    const tarBytes = gunzipSync(bytes)
    const truncated = gzipSync(tarBytes.subarray(0, Math.floor(tarBytes.length / 2)))
    await expect(decodeSnapshot(truncated)).rejects.toBeInstanceOf(SnapshotFormatError)
    await new Promise((resolve) => setTimeout(resolve, 200))
  })

  it('refuses bytes that are not gzip at all', async () => {
    await expect(decodeSnapshot(new TextEncoder().encode('not a snapshot'))).rejects.toBeInstanceOf(
      SnapshotFormatError,
    )
  })
})
