import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { BackendPlaygroundError } from './errors.js'
import { BUNDLED_WORDPRESS_VERSIONS } from './playground-options.js'

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
 * Resolves the `wordpress` option to a build zip: a bundled version (`6.5`, `6.4`, `6.3`, `6.2`, `beta`,
 * `nightly`; `latest` means the newest stable) or a path to a Playground-style build zip.
 */
export function resolveWordPressZip(wordpress: string): { zipPath: string; label: string } {
  const key = wordpress === 'latest' ? (BUNDLED_WORDPRESS_VERSIONS[0] as string) : wordpress
  const name = ZIP_NAMES[key]
  if (name) return { zipPath: join(buildsRoot, 'wordpress', name), label: key }
  const path = resolve(wordpress)
  if (wordpress.endsWith('.zip') && existsSync(path)) return { zipPath: path, label: path }
  throw new BackendPlaygroundError(
    'WORDPRESS_UNAVAILABLE',
    `WordPress ${JSON.stringify(wordpress)} is neither a bundled version (${Object.keys(ZIP_NAMES).join(', ')}, latest) nor an existing build zip; pick a bundled version or give the path to a .zip.`,
    { details: { wordpress } },
  )
}
