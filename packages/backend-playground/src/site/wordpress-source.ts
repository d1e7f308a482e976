import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { unzipSync } from 'fflate'
import { DATABASE_PATH } from '../commands/php-snippets.js'
import { BackendPlaygroundError } from '../errors.js'
import { treeDigest } from '../resources/resource-digest.js'

/**
 * What the `wordpress` option points at, once its contents were looked at:
 * - `build-zip`: a `@wp-playground/wordpress-builds` zip, WordPress at the zip root, already installed on SQLite;
 * - `release-zip`: a wordpress.org release zip (WordPress under `root`, normally `wordpress/`), not installed;
 * - `release-dir`: a directory holding an unpacked release (`path` is the WordPress root itself).
 */
export type WordPressSource =
  | {
      readonly kind: 'build-zip'
      readonly path: string
      readonly bytes: Uint8Array
      /** Hex SHA-256 of the zip. */
      readonly sha256: string
    }
  | {
      readonly kind: 'release-zip'
      readonly path: string
      readonly bytes: Uint8Array
      /** Hex SHA-256 of the zip. */
      readonly sha256: string
      /** The zip entry prefix WordPress lives under: `wordpress/`, or `''` when it is at the zip root. */
      readonly root: string
    }
  | {
      readonly kind: 'release-dir'
      readonly path: string
      /** Hex SHA-256 of the tree (see `treeDigest`): edit any file and the template changes. */
      readonly sha256: string
    }

/** Files whose presence makes a tree a WordPress (relative to the WordPress root). */
const WORDPRESS_MARKERS = ['wp-includes/version.php', 'wp-load.php', 'wp-settings.php'] as const
/** Directories a WordPress release has (relative to the WordPress root). */
const WORDPRESS_DIRS = ['wp-admin/', 'wp-includes/', 'wp-content/'] as const

const EXPECTED =
  'a WordPress release as downloaded from wordpress.org: a zip (or a directory) with a top-level wordpress/ ' +
  'directory holding wp-admin/, wp-includes/ (with version.php), wp-content/, wp-load.php and wp-config-sample.php'

function notARelease(source: string, problem: string, cause?: unknown): BackendPlaygroundError {
  return new BackendPlaygroundError(
    'WORDPRESS_RELEASE_INVALID',
    `playground({ wordpress }): ${source} is not a WordPress release (${problem}); expected ${EXPECTED}, or a Playground build zip from @wp-playground/wordpress-builds.`,
    { cause, details: { option: 'wordpress', path: source, problem } },
  )
}

/** Whether the entry names hold a WordPress under `root` (`''` or `dir/`). */
function holdsWordPress(names: ReadonlySet<string>, root: string): boolean {
  if (!WORDPRESS_MARKERS.every((file) => names.has(`${root}${file}`))) return false
  const prefixes = WORDPRESS_DIRS.map((dir) => `${root}${dir}`)
  return prefixes.every((prefix) => [...names].some((name) => name.startsWith(prefix)))
}

/** Entry names of a zip, read from its central directory without inflating anything. */
function zipEntryNames(bytes: Uint8Array): Set<string> {
  const names = new Set<string>()
  unzipSync(bytes, {
    filter: (file) => {
      names.add(file.name)
      return false
    },
  })
  return names
}

/** Looks at a zip: a Playground build (installed, at the root) or a release (under one top-level directory). */
function inspectZip(zipPath: string, bytes: Uint8Array): WordPressSource {
  let names: Set<string>
  try {
    names = zipEntryNames(bytes)
  } catch (error) {
    throw notARelease(zipPath, 'it is not a readable zip archive', error)
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  if (holdsWordPress(names, '') && names.has(DATABASE_PATH) && names.has('wp-config.php')) {
    return { kind: 'build-zip', path: zipPath, bytes, sha256 }
  }
  if (holdsWordPress(names, 'wordpress/')) {
    return { kind: 'release-zip', path: zipPath, bytes, sha256, root: 'wordpress/' }
  }
  // Some repackaged releases use another top-level directory name, or none at all.
  const topLevel = new Set([...names].map((name) => name.split('/')[0] as string))
  const roots = [...topLevel].filter((dir) => dir !== '__MACOSX').map((dir) => `${dir}/`)
  const root = ['', ...roots].find((candidate) => holdsWordPress(names, candidate))
  if (root !== undefined) return { kind: 'release-zip', path: zipPath, bytes, sha256, root }
  throw notARelease(zipPath, 'no wp-includes/version.php, wp-load.php and wp-settings.php found in it')
}

/**
 * Reads what a `wordpress` path holds and classifies it; a directory is hashed by content.
 *
 * @throws {BackendPlaygroundError} `WORDPRESS_RELEASE_INVALID` when the zip or directory is not a WordPress release
 *   (nor a Playground build zip), saying what was expected.
 */
export async function inspectWordPressSource(
  sourcePath: string,
  options: { readonly signal?: AbortSignal } = {},
): Promise<WordPressSource> {
  const stats = await stat(sourcePath)
  if (stats.isDirectory()) {
    // A directory that holds the unpacked zip (with `wordpress/` inside) is accepted as well as WordPress itself.
    const root = [sourcePath, path.join(sourcePath, 'wordpress')].find((candidate) =>
      WORDPRESS_MARKERS.every((file) => existsSync(path.join(candidate, file))),
    )
    if (!root)
      throw notARelease(sourcePath, 'no wp-includes/version.php, wp-load.php and wp-settings.php in it')
    const missing = WORDPRESS_DIRS.filter((dir) => !existsSync(path.join(root, dir)))
    if (missing.length > 0) throw notARelease(sourcePath, `${missing.join(', ')} missing`)
    options.signal?.throwIfAborted()
    const digest = await treeDigest(root)
    return { kind: 'release-dir', path: root, sha256: digest.slice('sha256:'.length) }
  }
  const bytes = new Uint8Array(await readFile(sourcePath))
  return inspectZip(sourcePath, bytes)
}
