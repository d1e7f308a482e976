import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { ResourceError } from './resource-errors.js'

/** Schema id of the resource lock file. */
export const RESOURCE_LOCK_SCHEMA_ID = 'codebox/resource-lock/v1'

/** One first-seen hash in the lock file. */
export const ResourceLockEntrySchema = z.object({
  /** `sha256:<hex>` of the zip or phar when it was first seen. */
  sha256: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** ISO time it was first seen. */
  firstSeen: z.string(),
  /** How it entered the cache: downloaded, added with `cacheAdd`, or found in the cache without an entry. */
  origin: z.enum(['download', 'cache-add', 'cache']),
  /** The URL or file it came from. */
  source: z.string().optional(),
})

/** `<cacheDir>/codebox.lock.json`: `{ schema, entries: { 'plugin:wp-graphql@2.5.3': { sha256, firstSeen, origin } } }`. */
export const ResourceLockFileSchema = z.object({
  schema: z.literal(RESOURCE_LOCK_SCHEMA_ID),
  entries: z.record(z.string(), ResourceLockEntrySchema),
})

/** One lock entry. */
export type ResourceLockEntry = z.infer<typeof ResourceLockEntrySchema>
/** The lock file document. */
export type ResourceLockFile = z.infer<typeof ResourceLockFileSchema>

/** Writes bytes to `file` atomically: a temp file in the same directory, then `rename`. */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  const temp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`
  try {
    await writeFile(temp, data)
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

/**
 * Reads the lock file; a missing file is an empty lock.
 *
 * @throws {@link ResourceError} (code `RESOURCE_LOCK_INVALID`) when the file exists but is not a valid lock.
 */
export async function readResourceLock(lockFile: string): Promise<ResourceLockFile> {
  let text: string
  try {
    text = await readFile(lockFile, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { schema: RESOURCE_LOCK_SCHEMA_ID, entries: {} }
    throw error
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw invalidLock(lockFile, 'it is not JSON', error)
  }
  const result = ResourceLockFileSchema.safeParse(json)
  if (!result.success) throw invalidLock(lockFile, result.error.issues[0]?.message ?? 'unexpected shape')
  return result.data
}

function invalidLock(lockFile: string, why: string, cause?: unknown): ResourceError {
  return new ResourceError(
    'RESOURCE_LOCK_INVALID',
    `Lock file ${lockFile} is not a ${RESOURCE_LOCK_SCHEMA_ID} document (${why}); fix or delete it.`,
    { cause, details: { lockFile } },
  )
}

/** A lock held longer than this is assumed to belong to a crashed process. */
const STALE_MUTEX_MS = 10_000

/** Serialises read-merge-write of the lock file across processes with an exclusive `mkdir`. */
async function withMutex<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  const mutex = `${lockFile}.mutex`
  await mkdir(path.dirname(lockFile), { recursive: true })
  const deadline = Date.now() + 5_000
  for (;;) {
    try {
      await mkdir(mutex)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const age = await stat(mutex).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      )
      if (age > STALE_MUTEX_MS) await rmdir(mutex).catch(() => undefined)
      else if (Date.now() > deadline)
        break // never hang: fall back to re-read-before-rename only
      else await sleep(10)
    }
  }
  try {
    return await work()
  } finally {
    await rmdir(mutex).catch(() => undefined)
  }
}

/**
 * Records `key → entry` in the lock file. The file is re-read under a cross-process mutex, merged and written
 * with temp-file + rename, so concurrent resolvers never corrupt it. An existing entry is kept unless `replace`.
 *
 * @returns the entry now in the lock file for `key`.
 */
export async function recordResourceLock(
  lockFile: string,
  key: string,
  entry: ResourceLockEntry,
  options: { replace: boolean },
): Promise<ResourceLockEntry> {
  return withMutex(lockFile, async () => {
    const lock = await readResourceLock(lockFile)
    const existing = lock.entries[key]
    if (existing !== undefined && (!options.replace || existing.sha256 === entry.sha256)) return existing
    const entries = { ...lock.entries, [key]: entry }
    const sorted = Object.fromEntries(
      Object.keys(entries)
        .sort()
        .map((k) => [k, entries[k]]),
    )
    await writeFileAtomic(
      lockFile,
      `${JSON.stringify({ schema: RESOURCE_LOCK_SCHEMA_ID, entries: sorted }, null, 2)}\n`,
    )
    return entry
  })
}
