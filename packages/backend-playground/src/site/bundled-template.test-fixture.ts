import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { prepareWordPressTemplate, type WordPressTemplate } from './prepare-template.js'
import { SQLITE_INTEGRATION_ZIP } from './wordpress-builds.js'

const require = createRequire(import.meta.url)
const buildsDir = path.join(
  path.dirname(require.resolve('@wp-playground/wordpress-builds/package.json')),
  'src',
)

/**
 * For tests: the bundled WordPress 6.5 build on SQLite, prepared once in the test cache (`CODEBOX_TEST_CACHE_DIR`,
 * shared by the test files of a run) and reused after.
 */
export function bundledTemplate(): Promise<WordPressTemplate> {
  return prepareWordPressTemplate({
    zipPath: path.join(buildsDir, 'wordpress/wp-6.5.zip'),
    sqliteZipPath: SQLITE_INTEGRATION_ZIP,
    cacheDir: process.env.CODEBOX_TEST_CACHE_DIR ?? path.join(os.tmpdir(), 'codebox-test-cache'),
  })
}
