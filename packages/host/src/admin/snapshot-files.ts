import { randomBytes } from 'node:crypto'
import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from '../tenants/write-file-atomic.js'

/** File name suffix of snapshots and backups the host writes. */
export const SNAPSHOT_SUFFIX = '.codebox-snapshot'

/**
 * Writes an automatic snapshot (`<time>-<reason>.codebox-snapshot`, mode 0600: it holds the tenant's whole
 * database) and keeps only the newest `keep` in the directory.
 *
 * @returns the path of the new snapshot.
 */
export async function writeRetainedSnapshot(
  directory: string,
  reason: string,
  bytes: Uint8Array,
  keep: number,
): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const file = path.join(
    directory,
    `${stamp}-${reason.replace(/[^a-z0-9-]/gi, '-')}-${randomBytes(3).toString('hex')}${SNAPSHOT_SUFFIX}`,
  )
  await writeFileAtomic(file, bytes, 0o600)
  const names = (await readdir(directory)).filter((name) => name.endsWith(SNAPSHOT_SUFFIX)).sort()
  for (const old of names.slice(0, Math.max(0, names.length - keep))) {
    await rm(path.join(directory, old), { force: true })
  }
  return file
}

/** The automatic snapshots of a directory, oldest first. */
export async function listSnapshots(directory: string): Promise<string[]> {
  const names = await readdir(directory).catch(() => [] as string[])
  return names
    .filter((name) => name.endsWith(SNAPSHOT_SUFFIX))
    .sort()
    .map((name) => path.join(directory, name))
}
