<?php
/**
 * PHPUnit bootstrap of Codebox Greeter (the layout `wp scaffold plugin-tests` writes). In a codebox sandbox,
 * `wordpress.phpunit` sets WP_TESTS_DIR to the WordPress test library matching the sandbox's WordPress.
 */

$_tests_dir = getenv( 'WP_TESTS_DIR' );
if ( ! $_tests_dir ) {
	$_tests_dir = rtrim( sys_get_temp_dir(), '/\\' ) . '/wordpress-tests-lib';
}

require_once "{$_tests_dir}/includes/functions.php";

function _codebox_greeter_load() {
	require dirname( __DIR__ ) . '/codebox-greeter.php';
}
tests_add_filter( 'muplugins_loaded', '_codebox_greeter_load' );

require "{$_tests_dir}/includes/bootstrap.php";
