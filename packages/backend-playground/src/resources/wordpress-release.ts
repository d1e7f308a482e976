import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { unzipSync, type Zippable, zipSync } from 'fflate'
import { walkTree } from './resource-digest.js'
import { ResourceArchiveError } from './resource-errors.js'

/** A WordPress release version as a spec names it: `6.9`, `6.8.3`, `7.0-beta1`. */
export const WORDPRESS_VERSION = /^\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.]+)?$/

/** True when `value` names a WordPress release (as opposed to a path or a bundled build name). */
export function isWordPressVersion(value: string): boolean {
  return WORDPRESS_VERSION.test(value)
}

const VERSION_FILE = 'wp-includes/version.php'
const ZIP_MTIME = new Date(Date.UTC(1980, 0, 1, 12))

/** The `$wp_version` a `wp-includes/version.php` declares, or undefined. */
export function wordpressVersionOf(versionPhp: string): string | undefined {
  return /^\s*\$wp_version\s*=\s*'([^']+)'\s*;/m.exec(versionPhp)?.[1]
}

/** The WordPress root of a directory: itself, or the `wordpress/` inside it (an unpacked release zip). */
export function wordpressRootOf(directory: string): string | undefined {
  return [directory, path.join(directory, 'wordpress')].find((candidate) =>
    existsSync(path.join(candidate, VERSION_FILE)),
  )
}

/** The `wp-includes/version.php` of a zip: under `wordpress/`, at the root, or under its one top-level directory. */
function zipVersionFile(bytes: Uint8Array, location: string): { root: string; text: string } | undefined {
  let files: Record<string, Uint8Array>
  try {
    files = unzipSync(bytes, { filter: (file) => file.name.endsWith(VERSION_FILE) })
  } catch (error) {
    throw new ResourceArchiveError(
      'corrupt',
      `${location} is not a readable zip archive.`,
      { location },
      error,
    )
  }
  const name = Object.keys(files)
    .filter((entry) => entry === VERSION_FILE || entry.split('/').length === 3)
    .sort((a, b) => a.length - b.length)[0]
  if (name === undefined) return undefined
  return { root: name.slice(0, -VERSION_FILE.length), text: new TextDecoder().decode(files[name]) }
}

/** The version a WordPress release zip holds, or undefined when it holds no WordPress. */
export function wordpressZipVersion(bytes: Uint8Array, location: string): string | undefined {
  const found = zipVersionFile(bytes, location)
  return found ? wordpressVersionOf(found.text) : undefined
}

/** The version a WordPress directory (or the `wordpress/` in it) holds, or undefined. */
export async function wordpressDirectoryVersion(directory: string): Promise<string | undefined> {
  const root = wordpressRootOf(directory)
  if (root === undefined) return undefined
  return wordpressVersionOf(await readFile(path.join(root, VERSION_FILE), 'utf8'))
}

/**
 * Zips a WordPress directory as a release zip (`wordpress/…`), deterministically: sorted entries, one fixed mtime,
 * stored without compression (3 000+ files: deflating them takes ten times longer, and the cache is local).
 *
 * @throws {@link ResourceArchiveError} `RESOURCE_ARCHIVE_INVALID` for a symlink in the tree.
 */
export async function zipWordPressDirectory(root: string): Promise<Uint8Array> {
  const entries: Zippable = {}
  for (const item of await walkTree(root)) {
    if (item.kind === 'link') {
      throw new ResourceArchiveError(
        'symlink',
        `${item.absolute} is a symlink; a WordPress directory added to the cache must hold regular files only.`,
        { location: root, entry: item.relative },
      )
    }
    entries[`wordpress/${item.relative}`] = [await readFile(item.absolute), { mtime: ZIP_MTIME }]
  }
  return zipSync(entries, { level: 0 })
}
