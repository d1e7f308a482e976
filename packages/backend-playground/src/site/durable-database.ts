import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { DATABASE_PATH } from '../commands/php-snippets.js'

/** The site's database directory, relative to the site root: what `playground({ database })` puts on the host. */
export const DATABASE_DIR = DATABASE_PATH.slice(0, DATABASE_PATH.lastIndexOf('/'))

/** Whether a site-relative path lies in the database directory. */
export function isDatabasePath(sitePath: string): boolean {
  return sitePath.startsWith(`${DATABASE_DIR}/`)
}

/** fsync of a file or directory; a directory fsync makes renames, creations and deletions in it durable. */
async function fsyncPath(target: string): Promise<void> {
  const handle = await open(target, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Makes everything the runtime wrote to its durable database directory survive a crash of the machine: SQLite's
 * writes reach the host file at once through NODEFS (so they already survive the death of the process), but php-wasm
 * turns SQLite's own fsync() into a no-op, so the host syncs the database files and the directory (for the journal's
 * deletion, which is what commits a transaction) after every command.
 */
export async function syncDatabaseDirectory(directory: string): Promise<void> {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (entry.isFile()) await fsyncPath(path.join(directory, entry.name)).catch(ignoreVanished)
  }
  await fsyncPath(directory)
}

function ignoreVanished(error: NodeJS.ErrnoException): void {
  // A journal may be deleted between readdir and open: there is nothing left to sync.
  if (error.code !== 'ENOENT') throw error
}

/**
 * Prepares a durable database directory: creates it, and when it holds no database yet, copies the template's
 * database directory into it (each file through a synced temp file and a rename, so a crash leaves either no
 * database or a whole one). An existing database is kept as it is: it is the tenant's state.
 *
 * @returns whether the database was initialised from the template.
 */
export async function prepareDatabaseDirectory(directory: string, templateSiteDir: string): Promise<boolean> {
  await mkdir(directory, { recursive: true })
  const info = await stat(directory)
  if (!info.isDirectory()) throw new Error(`${directory} is not a directory`)
  const database = path.join(directory, path.basename(DATABASE_PATH))
  if (existsSync(database)) return false
  const source = path.join(templateSiteDir, ...DATABASE_DIR.split('/'))
  // The database file goes last: its presence is what marks the directory as initialised.
  const names = (await readdir(source)).sort((a, b) =>
    a === path.basename(DATABASE_PATH) ? 1 : b === path.basename(DATABASE_PATH) ? -1 : a.localeCompare(b),
  )
  for (const name of names) {
    const target = path.join(directory, name)
    if (name !== path.basename(DATABASE_PATH) && existsSync(target)) continue
    const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    try {
      await copyFile(path.join(source, name), tmp)
      await fsyncPath(tmp)
      await rename(tmp, target)
    } finally {
      await rm(tmp, { force: true })
    }
  }
  await fsyncPath(directory)
  return true
}

/** The files of a durable database directory, as site-relative paths, for a snapshot. */
export async function readDatabaseDirectory(
  directory: string,
): Promise<{ readonly path: string; readonly bytes: Uint8Array }[]> {
  const out: { path: string; bytes: Uint8Array }[] = []
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.includes('.tmp-')) continue
    out.push({
      path: `${DATABASE_DIR}/${entry.name}`,
      bytes: new Uint8Array(await readFile(path.join(directory, entry.name))),
    })
  }
  return out
}

/**
 * Writes one file of a durable database directory atomically (synced temp file, rename, synced directory), so a
 * crash during a restore leaves the old file or the new one, never a torn database. A rollback journal of the old
 * database is removed first: applied to the new file it would corrupt it.
 */
export async function writeDatabaseFile(directory: string, name: string, bytes: Uint8Array): Promise<void> {
  const target = path.join(directory, name)
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    const handle = await open(tmp, 'w')
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (name === path.basename(DATABASE_PATH)) await rm(`${target}-journal`, { force: true })
    await rename(tmp, target)
  } finally {
    await rm(tmp, { force: true })
  }
  await fsyncPath(directory)
}

/** Removes one file of a durable database directory (a snapshot that deleted it). */
export async function removeDatabaseFile(directory: string, name: string): Promise<void> {
  await rm(path.join(directory, name), { force: true })
  await fsyncPath(directory)
}

/** Beside a durable database: the plugins the backend has activated in it (a JSON list of slugs). */
const ACTIVATED_FILE = '.codebox-activated-plugins.json'

/** The plugins the backend activated in a durable database (none recorded: an empty set). */
export async function readActivatedPlugins(directory: string): Promise<Set<string>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path.join(directory, ACTIVATED_FILE), 'utf8'))
    return new Set(
      Array.isArray(parsed) ? parsed.filter((slug): slug is string => typeof slug === 'string') : [],
    )
  } catch {
    return new Set()
  }
}

/**
 * Records the plugins the backend activated in a durable database, so a later runtime on it activates only plugins
 * added since (a first WordPress load in a new worker costs seconds; a tenant administrator's own deactivation of a
 * plugin is kept).
 */
export async function recordActivatedPlugins(directory: string, slugs: Iterable<string>): Promise<void> {
  const bytes = new TextEncoder().encode(`${JSON.stringify([...new Set(slugs)].sort())}\n`)
  await writeDatabaseFile(directory, ACTIVATED_FILE, bytes)
}
