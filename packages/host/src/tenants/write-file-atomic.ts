import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import path from 'node:path'

/**
 * Writes a file through a synced temp file beside it and a rename, so a reader (or a crash) sees the old file or
 * the whole new one, never half of it. `mode` applies to the new file (e.g. `0o600` for a backup).
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true })
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    const handle = await open(tmp, 'w', mode)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, target)
  } finally {
    await rm(tmp, { force: true })
  }
}
