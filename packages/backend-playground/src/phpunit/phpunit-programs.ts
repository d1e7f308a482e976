/** Where `wordpress.phpunit` keeps its files inside the runtime. */
export const PHPUNIT_ROOT = '/internal/codebox/phpunit'
/** Where each part of the toolkit is mounted (read-only) while a suite runs. */
export const PHPUNIT_MOUNTS = {
  phpunit: `${PHPUNIT_ROOT}/phpunit`,
  polyfills: `${PHPUNIT_ROOT}/polyfills`,
  testLibrary: `${PHPUNIT_ROOT}/wordpress-tests-lib`,
} as const
/** The wp-tests-config.php the test library reads. */
export const PHPUNIT_CONFIG = `${PHPUNIT_ROOT}/wp-tests-config.php`

const php = (value: string): string => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`

/**
 * The test library's configuration: the runtime's own WordPress and database, with the tests' tables under their
 * own prefix (`wptests_`), so a run never touches the site's tables.
 */
export function wpTestsConfig(): string {
  return `<?php
define( 'ABSPATH', '/wordpress/' );
define( 'WP_DEFAULT_THEME', 'default' );
define( 'WP_DEBUG', true );
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'codebox' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8' );
define( 'DB_COLLATE', '' );
$table_prefix = 'wptests_';
define( 'WP_TESTS_DOMAIN', 'example.org' );
define( 'WP_TESTS_EMAIL', 'admin@example.org' );
define( 'WP_TESTS_TITLE', 'Test Blog' );
define( 'WP_PHP_BINARY', 'php' );
`
}

/**
 * Installs the test site (the library's `install.php`, which drops and recreates the `wptests_` tables). The library
 * runs it as a separate PHP process; here it is a separate PHP run, since the sandbox spawns no processes.
 */
export function phpunitInstallProgram(): string {
  const install = `${PHPUNIT_MOUNTS.testLibrary}/includes/install.php`
  return `<?php
$argv = array( ${php(install)}, ${php(PHPUNIT_CONFIG)}, 'no_ms_tests', 'no_core_tests' );
$argc = count( $argv );
$_SERVER['argv'] = $argv;
$_SERVER['argc'] = $argc;
require ${php(install)};
`
}

/** What the PHPUnit run gets. */
export interface PhpunitRunSpec {
  readonly directory: string
  readonly phpunitEntry: string
  readonly includePath: boolean
  readonly polyfillsEntry: string
  readonly junitPath: string
  readonly argv: readonly string[]
}

/**
 * Runs PHPUnit's CLI in-process with the suite's directory as working directory: the test library is found through
 * `WP_TESTS_DIR` (as `wp scaffold plugin-tests` bootstraps expect), its config through `WP_TESTS_CONFIG_FILE_PATH`,
 * the polyfills through `WP_TESTS_PHPUNIT_POLYFILLS_PATH`, and the install is skipped (done just before).
 */
export function phpunitRunProgram(spec: PhpunitRunSpec): string {
  const argv = ['phpunit', ...spec.argv].map(php).join(', ')
  return `<?php
define( 'WP_TESTS_CONFIG_FILE_PATH', ${php(PHPUNIT_CONFIG)} );
define( 'WP_TESTS_PHPUNIT_POLYFILLS_PATH', ${php(PHPUNIT_MOUNTS.polyfills)} );
putenv( 'WP_TESTS_DIR=' . ${php(PHPUNIT_MOUNTS.testLibrary)} );
putenv( 'WP_TESTS_SKIP_INSTALL=1' );
${spec.includePath ? `set_include_path( ${php(PHPUNIT_MOUNTS.phpunit)} . PATH_SEPARATOR . get_include_path() );` : ''}
require ${php(`${PHPUNIT_MOUNTS.phpunit}/${spec.phpunitEntry}`)};
require_once ${php(`${PHPUNIT_MOUNTS.polyfills}/${spec.polyfillsEntry}`)};
if ( ! class_exists( 'PHPUnit\\TextUI\\Command' ) ) {
	fwrite( STDERR, 'codebox: wordpress.phpunit needs PHPUnit 9 (the series the WordPress test library supports); PHPUnit\\TextUI\\Command was not found.' . PHP_EOL );
	exit( 2 );
}
chdir( ${php(spec.directory)} );
$_SERVER['argv'] = array( ${argv} );
$_SERVER['argc'] = count( $_SERVER['argv'] );
exit( PHPUnit\\TextUI\\Command::main( false ) );
`
}
