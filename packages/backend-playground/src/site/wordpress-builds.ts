import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { BackendPlaygroundError } from '../errors.js'
import { BUNDLED_WORDPRESS_VERSIONS } from '../playground-options.js'

const require = createRequire(import.meta.url)
const buildsRoot = join(dirname(require.resolve('@wp-playground/wordpress-builds/package.json')), 'src')

const ZIP_NAMES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(BUNDLED_WORDPRESS_VERSIONS.map((version) => [version, `wp-${version}.zip`])),
  beta: 'wp-beta.zip',
  nightly: 'wp-nightly.zip',
}

/** The SQLite database integration plugin zip that matches the bundled builds' databases. */
export const SQLITE_INTEGRATION_ZIP = join(
  buildsRoot,
  'sqlite-database-integration',
  'sqlite-database-integration.zip',
)

/**
 * Resolves the `wordpress` option to the WordPress to prepare: a bundled build zip for a bundled version (`6.5`,
 * `6.4`, `6.3`, `6.2`, `beta`, `nightly`; `latest` means the newest stable), or the absolute form of a path the
 * caller gave: a wordpress.org release zip, a directory holding an unpacked release, or a Playground build zip.
 * What a path holds is checked when the template is prepared (`WORDPRESS_RELEASE_INVALID` if it is not WordPress).
 *
 * @throws {BackendPlaygroundError} `WORDPRESS_UNAVAILABLE` when the value is no bundled version and no existing path.
 */
export function resolveWordPressZip(wordpress: string): { zipPath: string; label: string } {
  const key = wordpress === 'latest' ? (BUNDLED_WORDPRESS_VERSIONS[0] as string) : wordpress
  const name = ZIP_NAMES[key]
  if (name) return { zipPath: join(buildsRoot, 'wordpress', name), label: key }
  const path = resolve(wordpress)
  if (existsSync(path)) return { zipPath: path, label: path }
  throw new BackendPlaygroundError(
    'WORDPRESS_UNAVAILABLE',
    `playground({ wordpress: ${JSON.stringify(wordpress)} }) is neither a bundled version nor an existing path (${path}). Use a bundled version (${Object.keys(ZIP_NAMES).join(', ')}, latest), or the path to a WordPress release zip from wordpress.org/download, a directory holding an unpacked release, or a Playground build zip.`,
    { details: { option: 'wordpress', wordpress, path, bundled: Object.keys(ZIP_NAMES) } },
  )
}
