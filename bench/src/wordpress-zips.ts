import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)
const buildsRoot = path.join(
  path.dirname(require.resolve('@wp-playground/wordpress-builds/package.json')),
  'src',
)

/** The WordPress version every part of the run uses (codebox's default, a bundled build). */
export const WORDPRESS_VERSION = '6.5'

/** The bundled build zip: an installed WordPress site with its SQLite database. */
export const WORDPRESS_ZIP = path.join(buildsRoot, 'wordpress', `wp-${WORDPRESS_VERSION}.zip`)

/** The SQLite database integration plugin zip that matches the build's database. */
export const SQLITE_INTEGRATION_ZIP = path.join(
  buildsRoot,
  'sqlite-database-integration',
  'sqlite-database-integration.zip',
)
