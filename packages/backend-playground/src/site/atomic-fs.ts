import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

/** A temp name beside `target`, unique to this process and call. */
function tempBeside(target: string): string {
  return `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
}

/**
 * Publishes a directory atomically: `fill` builds it in a temp directory beside `targetDir`, which is then renamed
 * into place. An existing `targetDir` is kept as it is (`fill` does not run). Content-addressed callers rely on a
 * concurrent winner being identical: when another process renames first, its directory is used.
 *
 * @returns whether this call published the directory.
 */
export async function publishDir(targetDir: string, fill: (tmp: string) => Promise<void>): Promise<boolean> {
  if (existsSync(targetDir)) return false
  await mkdir(path.dirname(targetDir), { recursive: true })
  const tmp = tempBeside(targetDir)
  try {
    await fill(tmp)
    try {
      await rename(tmp, targetDir)
    } catch (error) {
      if (!existsSync(targetDir)) throw error
      return false
    }
    return true
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

/** Writes a file through a temp file and a rename, so readers never see it half-written. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true })
  const tmp = tempBeside(target)
  await writeFile(tmp, data)
  await rename(tmp, target)
}
