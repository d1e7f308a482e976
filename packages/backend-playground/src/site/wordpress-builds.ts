import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { BackendPlaygroundError } from '../errors.js'
import { BUNDLED_WORDPRESS_VERSIONS } from '../playground-options.js'
import { newestCachedWordPress } from '../resources/resolve-wordpress.js'
import { compareVersions } from '../resources/resource-cache.js'
import type { ResourceResolver } from '../resources/resource-resolver.js'
import { isWordPressVersion } from '../resources/wordpress-release.js'

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

/** The WordPress a runtime boots, and what provenance records about where it came from. */
export interface WordPressChoice {
  /** A bundled build zip, a release zip (from the cache or a download), or the path the caller gave. */
  readonly zipPath: string
  /** For provenance: `npm:@wp-playground/wordpress-builds/wp-6.5.zip`, `cache:<zip>`, `download:<url>`, or the path. */
  readonly source: string
}

function bundled(key: string): WordPressChoice {
  const name = ZIP_NAMES[key] as string
  return {
    zipPath: join(buildsRoot, 'wordpress', name),
    source: `npm:@wp-playground/wordpress-builds/${name}`,
  }
}

async function release(resolver: ResourceResolver, version: string, signal?: AbortSignal) {
  const found = await resolver.resolveWordPress(version, signal ? { signal } : {})
  return { zipPath: found.path, source: `${found.origin}:${found.source}` }
}

/** The oldest WordPress release codebox runs: the oldest bundled build. */
export const OLDEST_SUPPORTED_WORDPRESS = '6.2'

/**
 * Resolves the `wordpress` option to the WordPress to prepare:
 * - a bundled version (`6.5`, `6.4`, `6.3`, `6.2`, `beta`, `nightly`) → its build zip from
 *   `@wp-playground/wordpress-builds`;
 * - another release version (`6.9`, `6.8.3`) → like a plugin: the cache, else the official release zip downloaded
 *   and checked against its published checksum (`resolver.resolveWordPress`);
 * - `latest` → the newest of the bundled builds and the cached releases (provenance records the exact version);
 * - anything else → a path: a wordpress.org release zip, a directory holding an unpacked release, or a Playground
 *   build zip. What a path holds is checked when the template is prepared (`WORDPRESS_RELEASE_INVALID`).
 *
 * @throws {ResourceUnavailableError} `RESOURCE_UNAVAILABLE` for a release that is neither cached nor downloadable,
 *   saying how to provide it (`codebox cache add`, a path, the network).
 * @throws {BackendPlaygroundError} `WORDPRESS_UNAVAILABLE` when the value is no version and no existing path.
 */
export async function resolveWordPressSource(
  wordpress: string,
  resolver: ResourceResolver,
  signal?: AbortSignal,
): Promise<WordPressChoice> {
  if (wordpress === 'latest') {
    const newestBundled = BUNDLED_WORDPRESS_VERSIONS[0] as string
    const newestCached = await newestCachedWordPress(resolver.cacheDir)
    return newestCached !== undefined && compareVersions(newestCached, newestBundled) > 0
      ? release(resolver, newestCached, signal)
      : bundled(newestBundled)
  }
  if (ZIP_NAMES[wordpress]) return bundled(wordpress)
  if (isWordPressVersion(wordpress)) {
    if (compareVersions(wordpress, OLDEST_SUPPORTED_WORDPRESS) < 0) {
      throw new BackendPlaygroundError(
        'WORDPRESS_UNAVAILABLE',
        `playground({ wordpress: ${JSON.stringify(wordpress)} }) is older than WordPress ${OLDEST_SUPPORTED_WORDPRESS}, the oldest codebox runs (its SQLite integration and PHP 8 need it). Use ${OLDEST_SUPPORTED_WORDPRESS} or newer: a bundled version (${Object.keys(ZIP_NAMES).join(', ')}, latest) or another release such as "6.9".`,
        { details: { option: 'wordpress', wordpress, oldestSupported: OLDEST_SUPPORTED_WORDPRESS } },
      )
    }
    return release(resolver, wordpress, signal)
  }
  const path = resolve(wordpress)
  if (existsSync(path)) return { zipPath: path, source: path }
  throw new BackendPlaygroundError(
    'WORDPRESS_UNAVAILABLE',
    `playground({ wordpress: ${JSON.stringify(wordpress)} }) is neither a WordPress version nor an existing path (${path}). Use a bundled version (${Object.keys(ZIP_NAMES).join(', ')}, latest), another release version such as "6.9" (resolved from the cache or wordpress.org), or the path to a WordPress release zip from wordpress.org/download, a directory holding an unpacked release, or a Playground build zip.`,
    { details: { option: 'wordpress', wordpress, path, bundled: Object.keys(ZIP_NAMES) } },
  )
}
