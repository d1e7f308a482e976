import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { access, copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ArtifactStore, StoreCallOptions, StoredObject } from './artifact-store.js'
import { hashFile } from './file-hash.js'
import { QueueError } from './queue-error.js'

/** Marks a file being written; never listed, never referenced by a result. */
const PARTIAL = '.partial-'

/** Resolves `key` under `root`, refusing anything that would leave it. */
function pathOf(root: string, key: string): string {
  const path = join(root, ...key.split('/'))
  const inside = relative(root, path)
  if (key === '' || inside === '' || inside.startsWith('..') || isAbsolute(inside) || key.includes('\\')) {
    throw new QueueError(
      'ARTIFACT_STORE_WRITE_FAILED',
      `The key ${JSON.stringify(key)} leaves the store ${root}.`,
    )
  }
  return path
}

async function walk(root: string, dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    throw error
  })
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await walk(root, path, out)
    else if (entry.isFile() && !entry.name.includes(PARTIAL))
      out.push(relative(root, path).split(sep).join('/'))
  }
}

/**
 * An {@link ArtifactStore} on a local or mounted filesystem (`file:///srv/bundles`). A write copies into a
 * temporary file beside the target and renames it into place, which is atomic on one filesystem.
 *
 * @example
 * const store = createFilesystemArtifactStore('file:///srv/bundles')
 * await store.put('job-42.tar.gz', '/tmp/bundle.tar.gz')
 */
export function createFilesystemArtifactStore(url: string): ArtifactStore {
  let root: string
  try {
    root = fileURLToPath(url)
  } catch {
    throw new QueueError(
      'ARTIFACT_STORE_URL_INVALID',
      `The artifact store URL ${url} is not an absolute file URL; write it as file:///absolute/directory.`,
    )
  }
  const display = pathToFileURL(root).href
  const objectUrl = (key: string) => pathToFileURL(pathOf(root, key)).href

  return {
    url: display,
    async check() {
      try {
        await mkdir(root, { recursive: true })
        await access(root, constants.W_OK)
      } catch (error) {
        throw new QueueError(
          'ARTIFACT_STORE_UNREACHABLE',
          `Cannot write to the artifact store ${display} (${(error as NodeJS.ErrnoException).code ?? String(error)}); check that the directory exists or can be created, is writable by this user, and (for a shared volume) is mounted.`,
          { cause: error, details: { url: display } },
        )
      }
    },
    async put(key: string, path: string, options: StoreCallOptions = {}): Promise<StoredObject> {
      const target = pathOf(root, key)
      const partial = `${target}${PARTIAL}${randomBytes(6).toString('hex')}`
      try {
        options.signal?.throwIfAborted()
        await mkdir(dirname(target), { recursive: true })
        await copyFile(path, partial)
        const { sha256, bytes } = await hashFile(partial, options.signal)
        options.signal?.throwIfAborted()
        await rename(partial, target)
        options.onProgress?.(bytes)
        return { key, url: objectUrl(key), bytes, sha256 }
      } catch (error) {
        await rm(partial, { force: true })
        throw new QueueError(
          'ARTIFACT_STORE_WRITE_FAILED',
          `Writing ${key} to ${display} failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); nothing was left under that key.`,
          { cause: error, details: { url: display, key } },
        )
      }
    },
    async get(key: string, path: string, options: StoreCallOptions = {}): Promise<StoredObject> {
      const source = pathOf(root, key)
      const partial = `${path}${PARTIAL}${randomBytes(6).toString('hex')}`
      try {
        await mkdir(dirname(path), { recursive: true })
        await copyFile(source, partial)
        const { sha256, bytes } = await hashFile(partial, options.signal)
        await rename(partial, path)
        return { key, url: objectUrl(key), bytes, sha256 }
      } catch (error) {
        await rm(partial, { force: true })
        throw new QueueError(
          'ARTIFACT_STORE_READ_FAILED',
          `Reading ${key} from ${display} failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
          { cause: error, details: { url: display, key } },
        )
      }
    },
    async list(prefix = '') {
      const keys: string[] = []
      await walk(root, root, keys)
      return keys.filter((key) => key.startsWith(prefix)).sort()
    },
    async close() {},
    async [Symbol.asyncDispose]() {},
  }
}
