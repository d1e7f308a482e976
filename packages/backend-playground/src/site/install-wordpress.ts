import { randomBytes } from 'node:crypto'
import { DOCUMENT_ROOT } from '../commands/php-snippets.js'
import { BackendPlaygroundError } from '../errors.js'
import type { PhpWorker } from '../worker/php-worker-client.js'

/** What the installer creates; the same as WordPress Playground's defaults, so sites look alike. */
export const INSTALL_DEFAULTS = {
  title: 'My WordPress Website',
  adminUser: 'admin',
  adminPassword: 'password',
  adminEmail: 'admin@localhost.com',
  permalinkStructure: '/%postname%/',
} as const

const SALT_NAMES = [
  'AUTH_KEY',
  'SECURE_AUTH_KEY',
  'LOGGED_IN_KEY',
  'NONCE_KEY',
  'AUTH_SALT',
  'SECURE_AUTH_SALT',
  'LOGGED_IN_SALT',
  'NONCE_SALT',
] as const

/**
 * The `wp-config.php` of a site installed from a release. The database settings are never used (the SQLite
 * drop-in `wp-content/db.php` replaces `wpdb`) but WordPress expects them defined. Salts are random per template,
 * as a fresh install would have them.
 */
export function wordpressConfigFile(): string {
  const salts = SALT_NAMES.map(
    (name) => `define( '${name}', '${randomBytes(48).toString('base64url')}' );`,
  ).join('\n')
  return `<?php
/* Written by codebox for WordPress on SQLite; the DB_* values are placeholders the SQLite drop-in ignores. */
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wordpress' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8' );
define( 'DB_COLLATE', '' );

${salts}

$table_prefix = 'wp_';

if ( ! defined( 'WP_DEBUG' ) ) {
	define( 'WP_DEBUG', false );
}

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

require_once ABSPATH . 'wp-settings.php';
`
}

/**
 * Installs WordPress (unless its database already is) and sets pretty permalinks. Outbound HTTP is answered
 * locally with an error while it runs: the installer's permalink self-test would otherwise wait on a network the
 * sandbox denies. The new-site e-mail is not sent.
 */
function installProgram(): string {
  // Values travel as base64-encoded JSON, never spliced into PHP source.
  const args = Buffer.from(JSON.stringify(INSTALL_DEFAULTS), 'utf8').toString('base64')
  return `<?php
$codebox_install = json_decode( base64_decode( '${args}' ), true );
ob_start();
define( 'WP_INSTALLING', true );
require '${DOCUMENT_ROOT}/wp-load.php';
add_filter( 'pre_http_request', function () {
	return new WP_Error( 'codebox_offline', 'No network while codebox installs WordPress.' );
} );
function wp_new_blog_notification() {}
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$codebox_was_installed = is_blog_installed();
if ( ! $codebox_was_installed ) {
	wp_install(
		$codebox_install['title'],
		$codebox_install['adminUser'],
		$codebox_install['adminEmail'],
		true,
		'',
		$codebox_install['adminPassword']
	);
}
if ( get_option( 'permalink_structure' ) === '' ) {
	update_option( 'permalink_structure', $codebox_install['permalinkStructure'] );
	delete_option( 'rewrite_rules' );
}
$codebox_output = '';
while ( ob_get_level() > 0 ) {
	$codebox_output = ob_get_clean() . $codebox_output;
}
echo json_encode( array(
	'installed' => is_blog_installed(),
	'wasInstalled' => $codebox_was_installed,
	'version' => get_bloginfo( 'version' ),
	'db' => get_class( $GLOBALS['wpdb'] ),
	'output' => substr( $codebox_output, 0, 2000 ),
) );
`
}

/** What {@link installWordPress} found and did. */
export interface InstallOutcome {
  /** `get_bloginfo('version')` of the installed site. */
  readonly wordpressVersion: string
  /** Whether the database was already installed (a directory that carried its own), so no installer ran. */
  readonly wasInstalled: boolean
}

/**
 * Runs the WordPress installer in `php`, a worker booted on a composed site (wp-config, SQLite drop-in) whose
 * database does not exist yet. The caller persists the files the worker changed.
 *
 * @throws {BackendPlaygroundError} `WORDPRESS_INSTALL_FAILED` with the PHP output and errors when WordPress does
 *   not end up installed on SQLite.
 */
export async function installWordPress(
  php: PhpWorker,
  options: { readonly source: string; readonly signal?: AbortSignal },
): Promise<InstallOutcome> {
  const result = await php.run(
    { code: installProgram() },
    { timeoutMs: 120_000, ...(options.signal ? { signal: options.signal } : {}) },
  )
  let parsed: { installed?: boolean; wasInstalled?: boolean; version?: string; db?: string } = {}
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed
  } catch {
    // Reported below with the PHP output.
  }
  if (!parsed.installed || !parsed.version || !parsed.db?.includes('SQLite')) {
    const fatal = result.errors.find((entry) => entry.level === 'fatal' || entry.level === 'parse')
    throw new BackendPlaygroundError(
      'WORDPRESS_INSTALL_FAILED',
      `Installing WordPress from ${options.source} on SQLite failed${fatal ? `: ${fatal.message}` : ''}`,
      {
        details: {
          source: options.source,
          exitCode: result.exitCode,
          database: parsed.db,
          output: result.stdout.slice(0, 2000),
          errors: result.errors.map((entry) => entry.raw).slice(0, 10),
        },
      },
    )
  }
  return { wordpressVersion: parsed.version, wasInstalled: parsed.wasInstalled === true }
}
