<?php
/**
 * Plugin Name: Hello codebox
 * Description: The sample plugin the hello-runtime demo mounts into its sandbox.
 * Version: 1.0.0
 */

function hello_codebox_greeting( $name ) {
	return sprintf( 'Hello, %s, from WordPress %s on PHP %s!', $name, get_bloginfo( 'version' ), PHP_VERSION );
}

add_action(
	'rest_api_init',
	function () {
		register_rest_route(
			'hello-codebox/v1',
			'/greeting',
			array(
				'methods'             => 'GET',
				'permission_callback' => '__return_true',
				'callback'            => function ( $request ) {
					return array( 'greeting' => hello_codebox_greeting( $request->get_param( 'name' ) ?: 'visitor' ) );
				},
			)
		);
	}
);
