import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { nanoid } from 'nanoid'
import { DOCUMENT_ROOT } from '../commands/php-snippets.js'
import type { ResolvedPlugin } from '../resources/index.js'
import {
  DATABASE_DIR,
  isDatabasePath,
  readDatabaseDirectory,
  removeDatabaseFile,
  writeDatabaseFile,
} from '../site/durable-database.js'
import type { WordPressTemplate } from '../site/prepare-template.js'
import type { PhpWorker } from '../worker/php-worker-client.js'
import { decodeSnapshot, encodeSnapshot, sha256Of } from './snapshot-file.js'

/** What a runtime's site layer sits on: a snapshot records these layers and only the site's own differences. */
export interface SiteLayers {
  readonly php: string
  readonly template: WordPressTemplate
  readonly plugins: readonly ResolvedPlugin[]
  /**
   * The host directory holding the site's database when it is durable (`playground({ database })`): it is a mount,
   * so snapshots read it from the host and restores replace its files atomically there.
   */
  readonly databaseDirectory?: string | undefined
}

/** The site layer as files: the worker's own tree, plus the durable database directory read from the host. */
async function exportSite(
  worker: PhpWorker,
  databaseDirectory: string | undefined,
  signal?: AbortSignal,
): Promise<{ path: string; bytes: Uint8Array }[]> {
  const exported = await worker.exportDir(DOCUMENT_ROOT, {
    skipMounts: true,
    ...(signal ? { signal } : {}),
  })
  if (databaseDirectory === undefined) return exported
  return [...exported, ...(await readDatabaseDirectory(databaseDirectory))]
}

/** Site-layer files of a template, by path relative to the site root, with their hashes (cached per process). */
const templateHashes = new Map<string, Promise<Map<string, string>>>()

/** Hashes the template's own files (not following symlinks: those are the shared, immutable layers). */
async function hashTemplate(siteDir: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>()
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.isFile()) {
        hashes.set(
          relative(siteDir, path).split(sep).join('/'),
          sha256Of(new Uint8Array(await readFile(path))),
        )
      }
    }
  }
  await walk(siteDir)
  return hashes
}

function templateHashesOf(siteDir: string): Promise<Map<string, string>> {
  let hashes = templateHashes.get(siteDir)
  if (!hashes) {
    hashes = hashTemplate(siteDir)
    templateHashes.set(siteDir, hashes)
  }
  return hashes
}

/**
 * Encodes the site layer's differences from the template as a snapshot file. With `withoutDatabase`, the database
 * directory is left out entirely (neither its files nor their deletion are recorded): the recovery point of a runtime
 * with a durable database, which a recovery never takes the database from.
 */
export async function encodeSiteSnapshot(
  worker: PhpWorker,
  layers: SiteLayers,
  signal?: AbortSignal,
  options: { readonly withoutDatabase?: boolean } = {},
): Promise<Uint8Array> {
  const exported = await exportSite(
    worker,
    options.withoutDatabase ? undefined : layers.databaseDirectory,
    signal,
  )
  const { template } = layers
  const hashes = await templateHashesOf(template.siteDir)
  const files = new Map<string, Uint8Array>()
  const present = new Set<string>()
  const kept = (path: string) => !options.withoutDatabase || !isDatabasePath(path)
  for (const file of exported) {
    present.add(file.path)
    if (kept(file.path) && hashes.get(file.path) !== sha256Of(file.bytes)) files.set(file.path, file.bytes)
  }
  const deleted = [...hashes.keys()].filter((path) => !present.has(path) && kept(path)).sort()
  return encodeSnapshot(
    {
      id: `snap_${nanoid(12)}`,
      createdAt: new Date().toISOString(),
      backend: 'playground',
      php: layers.php,
      wordpress: template.wordpressVersion,
      layers: {
        core: `sha256:${template.coreSha256}`,
        sqlite: `sha256:${template.sqliteSha256}`,
        plugins: layers.plugins.map((plugin) => ({
          slug: plugin.slug,
          ...(plugin.version === undefined ? {} : { version: plugin.version }),
          sha256: plugin.sha256,
        })),
      },
      deleted,
    },
    files,
  )
}

/**
 * Writes a snapshot's files into the running site and removes the ones it deleted. With a durable database
 * directory, its files are replaced on the host atomically (the database file before its journal), never written
 * through the worker.
 */
export async function applySiteSnapshot(
  worker: PhpWorker,
  files: ReadonlyMap<string, Uint8Array>,
  deleted: readonly string[],
  signal?: AbortSignal,
  databaseDirectory?: string,
): Promise<void> {
  const durable = (path: string) => databaseDirectory !== undefined && isDatabasePath(path)
  const name = (path: string) => path.slice(DATABASE_DIR.length + 1)
  for (const path of deleted) {
    if (durable(path)) await removeDatabaseFile(databaseDirectory as string, name(path))
    else await worker.unlink(`${DOCUMENT_ROOT}/${path}`, signal ? { signal } : {}).catch(() => {})
  }
  const ordered = [...files].sort(
    ([a], [b]) => Number(a.includes('-journal')) - Number(b.includes('-journal')),
  )
  for (const [path, bytes] of ordered) {
    if (durable(path)) await writeDatabaseFile(databaseDirectory as string, name(path), bytes)
    else await worker.writeFile(`${DOCUMENT_ROOT}/${path}`, bytes, signal ? { signal } : {})
  }
}

/** A snapshot's files and deletions without the database directory (what a durable runtime's recovery applies). */
export function withoutDatabase(
  files: ReadonlyMap<string, Uint8Array>,
  deleted: readonly string[],
): { files: Map<string, Uint8Array>; deleted: string[] } {
  return {
    files: new Map([...files].filter(([path]) => !isDatabasePath(path))),
    deleted: deleted.filter((path) => !isDatabasePath(path)),
  }
}

/**
 * Puts the running site back to a snapshot taken from it (a checkpoint): files added since go away, template
 * files changed since go back to the template, then the snapshot's own files apply.
 */
export async function restoreSiteSnapshot(
  worker: PhpWorker,
  layers: SiteLayers,
  bytes: Uint8Array,
  signal: AbortSignal,
): Promise<void> {
  const { template, databaseDirectory } = layers
  const current = await exportSite(worker, databaseDirectory, signal)
  const decoded = await decodeSnapshot(bytes)
  const templateFiles = await templateHashesOf(template.siteDir)
  // Files the runtime added after the checkpoint (not in the template, not in the checkpoint) go away.
  const extra = current
    .map((file) => file.path)
    .filter((path) => !decoded.files.has(path) && !templateFiles.has(path))
  const reset = new Map<string, Uint8Array>()
  // Template files changed since the checkpoint go back to the template version, then the checkpoint applies.
  for (const file of current) {
    if (decoded.files.has(file.path) || !templateFiles.has(file.path)) continue
    if (templateFiles.get(file.path) !== sha256Of(file.bytes)) {
      reset.set(file.path, new Uint8Array(await readFile(join(template.siteDir, file.path))))
    }
  }
  await applySiteSnapshot(worker, reset, extra, signal, databaseDirectory)
  await applySiteSnapshot(worker, decoded.files, decoded.manifest.deleted, signal, databaseDirectory)
}
