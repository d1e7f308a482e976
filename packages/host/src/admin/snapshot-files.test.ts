import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { listSnapshots, writeRetainedSnapshot } from './snapshot-files.js'

describe('writeRetainedSnapshot', () => {
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('keeps only the newest snapshots, by the retention count', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'codebox-snaps-'))
    const written: string[] = []
    for (const reason of ['plugin-change', 'import', 'option-bulk-change']) {
      written.push(await writeRetainedSnapshot(dir, reason, new Uint8Array([1, 2, 3]), 2))
      // Names sort by time; a later write must not share the earlier one's millisecond.
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    expect(await listSnapshots(dir)).toEqual(written.slice(1))
  })
})
