import { createHash } from 'node:crypto'
import { lstat, readdir, readFile, readlink } from 'node:fs/promises'
import path from 'node:path'

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/**
 * A deterministic `sha256:<hex>` digest of a directory tree, used as the hash of a plugin given as a directory.
 *
 * Every regular file and symlink under `root` is listed by its `/`-separated path relative to `root`; the list is
 * sorted by code unit; each item becomes one line — `file <path> <sha256 hex of the file's bytes>\n` or
 * `link <path> <link target>\n` (links are not followed) — and the digest is the SHA-256 of the concatenated lines.
 * Directories are implied by their files (empty directories do not count); file modes and times do not count.
 */
export async function treeDigest(root: string): Promise<string> {
  const lines: string[] = []
  for (const item of await walkTree(root)) {
    if (item.kind === 'link') lines.push(`link ${item.relative} ${await readlink(item.absolute)}\n`)
    else lines.push(fileLine(item.relative, await readFile(item.absolute)))
  }
  return `sha256:${createHash('sha256').update(lines.join('')).digest('hex')}`
}

/**
 * The {@link treeDigest} of files held in memory (`/`-separated relative path → bytes, no symlinks), so an archive
 * can be verified before anything of it is written: `filesDigest(readPluginZip(zip).files)` equals the `treeDigest`
 * of the directory it extracts to.
 */
export function filesDigest(files: ReadonlyMap<string, Uint8Array>): string {
  const lines = [...files.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((relative) => fileLine(relative, files.get(relative) as Uint8Array))
  return `sha256:${createHash('sha256').update(lines.join('')).digest('hex')}`
}

function fileLine(relative: string, bytes: Uint8Array): string {
  return `file ${relative} ${createHash('sha256').update(bytes).digest('hex')}\n`
}

/** One regular file or symlink in a tree, sorted by `relative`. */
export interface TreeItem {
  readonly kind: 'file' | 'link'
  /** `/`-separated path relative to the root. */
  readonly relative: string
  readonly absolute: string
}

/** Lists every regular file and symlink under `root` (symlinks are not followed), sorted by relative path. */
export async function walkTree(root: string): Promise<TreeItem[]> {
  const items: TreeItem[] = []
  const visit = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const absolute = path.join(dir, entry.name)
      const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`
      if (entry.isSymbolicLink()) items.push({ kind: 'link', relative, absolute })
      else if (entry.isDirectory()) await visit(absolute, relative)
      else if (entry.isFile()) items.push({ kind: 'file', relative, absolute })
    }
  }
  if (!(await lstat(root)).isDirectory()) throw new Error(`${root} is not a directory`)
  await visit(root, '')
  return items.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0))
}
