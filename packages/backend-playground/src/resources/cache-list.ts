import { readFile } from 'node:fs/promises'
import type { ResolverContext } from './resolver-context.js'
import { listCachedFiles } from './resource-cache.js'
import { sha256Digest } from './resource-digest.js'
import { readResourceLock } from './resource-lock.js'
import { lockKey } from './resource-lock-check.js'
import type { CacheEntry } from './resource-resolver.js'

/** `ResourceResolver.cacheList`: every zip and phar in the cache, re-hashed now and compared with the lock file. */
export async function cacheList(
  context: Pick<ResolverContext, 'cacheDir' | 'lockFile'>,
): Promise<CacheEntry[]> {
  const lock = await readResourceLock(context.lockFile)
  const entries: CacheEntry[] = []
  for (const file of await listCachedFiles(context.cacheDir)) {
    const bytes = await readFile(file.path)
    const sha256 = sha256Digest(bytes)
    const locked = lock.entries[lockKey(file.kind, file.slug, file.version)]
    entries.push({
      ...file,
      sha256,
      sizeBytes: bytes.byteLength,
      lock: locked,
      matchesLock: locked === undefined || locked.sha256 === sha256,
    })
  }
  return entries
}
