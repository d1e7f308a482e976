import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { fixFor, hasOwnFix } from './error-fixes.js'

const packagesDir = fileURLToPath(new URL('../../', import.meta.url))

/** Upper-snake string literals in the sources that are not error codes: constants, environment names, Node codes. */
const NOT_ERROR_CODES = new Set([
  'AUTH_KEY',
  'AUTH_SALT',
  'SECURE_AUTH_KEY',
  'SECURE_AUTH_SALT',
  'LOGGED_IN_KEY',
  'LOGGED_IN_SALT',
  'NONCE_KEY',
  'NONCE_SALT',
  'AUTOMATIC_UPDATER_DISABLED',
  'DISABLE_WP_CRON',
  'DISALLOW_FILE_EDIT',
  'DISALLOW_FILE_MODS',
  'WP_AUTO_UPDATE_CORE',
  'WP_DEBUG',
  'WP_INSTALLING',
  'XMLRPC_REQUEST',
  'DB_CHARSET',
  'DB_COLLATE',
  'DB_HOST',
  'DB_NAME',
  'DB_PASSWORD',
  'DB_USER',
  'QUERY_STRING',
  'REQUEST_METHOD',
  'CONTENT_LENGTH',
  'CODEBOX_CACHE_DIR',
  'CODEBOX_HEADLESS',
  'CODEBOX_GRAPHQL_GUARDRAILS',
  'CODEBOX_CONFORMANCE_MISSING_SECRET',
  'CODEBOX_POLICY_TEST_SECRET',
  'CONNECTOR_CREDENTIAL',
  'CONNECTOR_TOKEN',
  'CRM_KEY',
  'CRM_SECRET',
  'CRM_TOKEN',
  'GITHUB_APP',
  'GITHUB_APP_KEY',
  'GITHUB_EMPTY',
  'GITHUB_TOKEN',
  'ERR_BUFFER_TOO_LARGE',
  'ERR_WORKER_OUT_OF_MEMORY',
  'SOMETHING_UNKNOWN',
  'ALTERNATE_WP_CRON',
  'CONCATENATE_SCRIPTS',
  'COOKIE_DOMAIN',
  'E_ALL',
  'SCRIPT_DEBUG',
  'WP_DEFAULT_THEME',
  'WP_HOME',
  'WP_PHP_BINARY',
  'WP_SITEURL',
  'WP_TESTS_CONFIG_FILE_PATH',
  'WP_TESTS_DIR',
  'WP_TESTS_DOMAIN',
  'WP_TESTS_EMAIL',
  'WP_TESTS_PHPUNIT_POLYFILLS_PATH',
  'WP_TESTS_TITLE',
  'CODEBOX_PHPUNIT_PATH',
])

async function sources(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'dist')
      out.push(...(await sources(full)))
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(full)
  }
  return out
}

describe('fixFor', () => {
  it('gives every error code a codebox package raises its own fix', async () => {
    const codes = new Set<string>()
    for (const pkg of await readdir(packagesDir)) {
      for (const file of await sources(path.join(packagesDir, pkg, 'src')).catch(() => [])) {
        for (const match of (await readFile(file, 'utf8')).matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)) {
          codes.add(match[1] as string)
        }
      }
    }
    const missing = [...codes].filter((code) => !NOT_ERROR_CODES.has(code) && !hasOwnFix(code)).sort()
    expect(missing).toEqual([])
    expect(codes.size).toBeGreaterThan(60)
  })

  it('never falls back to "see the message; if it looks like a bug, report it"', () => {
    for (const code of [
      'SOMETHING_UNKNOWN',
      'ALTERNATE_WP_CRON',
      'CONCATENATE_SCRIPTS',
      'COOKIE_DOMAIN',
      'E_ALL',
      'SCRIPT_DEBUG',
      'WP_DEFAULT_THEME',
      'WP_HOME',
      'WP_PHP_BINARY',
      'WP_SITEURL',
      'WP_TESTS_CONFIG_FILE_PATH',
      'WP_TESTS_DIR',
      'WP_TESTS_DOMAIN',
      'WP_TESTS_EMAIL',
      'WP_TESTS_PHPUNIT_POLYFILLS_PATH',
      'WP_TESTS_TITLE',
      'CODEBOX_PHPUNIT_PATH',
      'PLAYGROUND_NEW_THING',
      'POLICY_NEW_RULE',
      'RESOURCE_SPEC_INVALID',
    ]) {
      expect(fixFor(code)).not.toMatch(/if it looks like a bug/)
    }
    expect(fixFor('PHP_VERSION_UNSUPPORTED')).toContain('PHP versions the message lists')
    expect(fixFor('RESOURCE_SPEC_INVALID')).toContain('field named in the message')
  })
})
