import { mkdir, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PERMALINK_STRUCTURE } from './bench-constants.js'
import { extractZip } from './extract-zip.js'
import { runNativePhp } from './native-php.js'
import type { RuntimeSiteConfig } from './runtime-site-config.js'
import { SQLITE_INTEGRATION_ZIP, WORDPRESS_ZIP } from './wordpress-zips.js'

/** The probe file that reports whether OPcache is on for the serving PHP. */
export const OPCACHE_PROBE = '/codebox-bench-opcache.php'

/**
 * The mtime every file of the native site gets, as the sandbox's shared layer files have one fixed old mtime: with
 * freshly extracted files OPcache (`file_update_protection=2`) refuses to cache anything for two seconds, which
 * made the first native requests after a build 3–5× slower than the settled ones and inflated the REST figure.
 */
const SITE_FILE_MTIME = new Date(Date.UTC(2000, 0, 1))

async function ageSiteFiles(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    // Symlinks (WPGraphQL from the codebox cache) are neither followed nor touched: their targets are the cache's
    // files, not this site's. (A recursive readdir went through the link, and its utimes changed the cache's plugin
    // layer, which made that layer's compiled entries stale.)
    if (entry.isDirectory()) await ageSiteFiles(file)
    else if (entry.isFile()) await utimes(file, SITE_FILE_MTIME, SITE_FILE_MTIME)
  }
}

/**
 * Builds the same site on disk for native PHP: the bundled WordPress build (installed, SQLite database), the
 * SQLite integration with its `db.php` drop-in, WPGraphQL symlinked from the codebox cache when given,
 * WP_HOME/WP_SITEURL pointing at `origin`, and a codebox runtime's own configuration (`runtime`: its must-use
 * plugins and constants, so both sides run the same hooks per request: without them a native request spawned
 * WP-Cron, a loopback request that `php -S`, serving one request at a time, answers only after the spawning one).
 * Then activates WPGraphQL and sets pretty permalinks with a native `php` script that loads `wp-load.php`, and
 * gives every file one old mtime. Returns the document root.
 */
export async function buildNativeSite(
  workDir: string,
  origin: string,
  wpGraphqlDir: string | undefined,
  runtime: RuntimeSiteConfig,
): Promise<string> {
  const root = path.join(workDir, 'wordpress')
  await extractZip(WORDPRESS_ZIP, root)
  const sqliteDir = path.join(root, 'wp-content/plugins/sqlite-database-integration')
  await extractZip(SQLITE_INTEGRATION_ZIP, sqliteDir, { stripFirstComponent: true })
  const dropIn = (await readFile(path.join(sqliteDir, 'db.copy'), 'utf8'))
    .replace("'{SQLITE_IMPLEMENTATION_FOLDER_PATH}'", "__DIR__ . '/plugins/sqlite-database-integration'")
    .replaceAll('{SQLITE_PLUGIN}', 'sqlite-database-integration/load.php')
  await writeFile(path.join(root, 'wp-content/db.php'), dropIn)
  if (wpGraphqlDir) {
    await mkdir(path.join(root, 'wp-content/plugins'), { recursive: true })
    await symlink(wpGraphqlDir, path.join(root, 'wp-content/plugins/wp-graphql'), 'dir')
  }
  const configPath = path.join(root, 'wp-config.php')
  const config = await readFile(configPath, 'utf8')
  const marker = "/* That's all, stop editing!"
  if (!config.includes(marker)) throw new Error(`${configPath} has no "${marker}" line`)
  await writeFile(
    configPath,
    config.replace(
      marker,
      [
        `define( 'WP_HOME', '${origin}' );`,
        `define( 'WP_SITEURL', '${origin}' );`,
        ...runtime.defines,
        marker,
      ].join('\n'),
    ),
  )
  const muPlugins = path.join(root, 'wp-content/mu-plugins')
  await mkdir(muPlugins, { recursive: true })
  for (const [name, source] of Object.entries(runtime.muPlugins)) {
    await writeFile(path.join(muPlugins, path.basename(name)), source)
  }
  await writeFile(
    path.join(root, OPCACHE_PROBE),
    "<?php echo json_encode(function_exists('opcache_get_status') && (opcache_get_status(false)['opcache_enabled'] ?? false));",
  )

  const setup = path.join(workDir, 'setup.php')
  await writeFile(
    setup,
    `<?php
$_SERVER['HTTP_HOST'] = '${new URL(origin).host}';
require ${JSON.stringify(path.join(root, 'wp-load.php'))};
require_once ABSPATH . 'wp-admin/includes/plugin.php';
update_option('permalink_structure', '${PERMALINK_STRUCTURE}');
delete_option('rewrite_rules');
$activated = ${wpGraphqlDir ? "activate_plugin('wp-graphql/wp-graphql.php')" : 'null'};
echo json_encode(array(
  'installed' => is_blog_installed(),
  'version' => get_bloginfo('version'),
  'activated' => is_wp_error($activated) ? $activated->get_error_message() : 'ok',
));
`,
  )
  const output = runNativePhp(['-d', 'opcache.enable_cli=0', setup])
  const parsed = JSON.parse(output.slice(output.indexOf('{'))) as { installed?: boolean; activated?: string }
  if (!parsed.installed || parsed.activated !== 'ok')
    throw new Error(`native site setup: ${output.slice(0, 500)}`)
  await ageSiteFiles(root)
  return root
}
