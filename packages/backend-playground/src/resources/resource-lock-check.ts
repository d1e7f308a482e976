import { ResourceIntegrityError, ResourceUpstreamChangedError } from './resource-errors.js'
import { type ResourceLockEntry, readResourceLock, recordResourceLock } from './resource-lock.js'

/** The lock file key of one artifact, e.g. `plugin:wp-graphql@2.5.3`. */
export function lockKey(kind: 'plugin' | 'tool' | 'wordpress', slug: string, version: string): string {
  return `${kind}:${slug}@${version}`
}

/**
 * Compares a new artifact with the lock file; throws unless it matches, is new, or updateLock is set.
 *
 * @throws {@link ResourceIntegrityError} when a cached file changed after it was recorded.
 * @throws {@link ResourceUpstreamChangedError} when a download or `cacheAdd` differs from the recorded hash.
 */
export async function checkLock(
  lockFile: string,
  key: string,
  sha256: string,
  location: string,
  origin: 'download' | 'cache' | 'cache-add',
  updateLock: boolean,
): Promise<void> {
  const entry = (await readResourceLock(lockFile)).entries[key]
  if (entry === undefined || entry.sha256 === sha256 || updateLock) return
  if (origin === 'cache') {
    throw new ResourceIntegrityError(
      key,
      entry.sha256,
      sha256,
      `Cached ${key} at ${location} has ${sha256}, but ${lockFile} recorded ${entry.sha256} when it was first seen ` +
        `(${entry.firstSeen}); the cache file changed. Delete it and resolve again, or pass { updateLock: true } to accept it.`,
      { location, lockFile },
    )
  }
  throw new ResourceUpstreamChangedError(key, entry.sha256, sha256, {
    lockFile,
    firstSeen: entry.firstSeen,
    location,
  })
}

/**
 * Records an accepted artifact's first-seen hash.
 *
 * @throws {@link ResourceUpstreamChangedError} when another process recorded a different hash meanwhile.
 */
export async function recordLock(
  lockFile: string,
  key: string,
  sha256: string,
  origin: ResourceLockEntry['origin'],
  source: string,
  updateLock: boolean,
): Promise<void> {
  const entry: ResourceLockEntry = { sha256, firstSeen: new Date().toISOString(), origin, source }
  const stored = await recordResourceLock(lockFile, key, entry, { replace: updateLock })
  // Another process recorded a different hash between our check and our write: fail closed.
  if (stored.sha256 !== sha256) {
    throw new ResourceUpstreamChangedError(key, stored.sha256, sha256, {
      lockFile,
      firstSeen: stored.firstSeen,
      location: source,
    })
  }
}
