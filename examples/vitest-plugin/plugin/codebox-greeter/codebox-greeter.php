<?php
/**
 * Plugin Name: Codebox Greeter
 * Description: A small plugin tested with @codebox/vitest: an activation hook, a REST route, a GraphQL field and an option a hook writes.
 * Version: 1.0.0
 */

defined('ABSPATH') || exit;

/** Activation: records the version it was activated with and a default greeting. */
function codebox_greeter_activate() {
	add_option('codebox_greeter_version', '1.0.0');
	add_option('codebox_greeter_salutation', 'Hello');
}
register_activation_hook(__FILE__, 'codebox_greeter_activate');

/** The greeting for a name, with the site's salutation. */
function codebox_greeter_greeting($name) {
	$name = trim((string) $name) === '' ? 'world' : sanitize_text_field($name);
	return sprintf('%s, %s!', get_option('codebox_greeter_salutation', 'Hello'), $name);
}

/** REST: GET /wp-json/codebox-greeter/v1/greeting?name=Ada */
add_action('rest_api_init', function () {
	register_rest_route('codebox-greeter/v1', '/greeting', [
		'methods'             => 'GET',
		'permission_callback' => '__return_true',
		'args'                => ['name' => ['type' => 'string', 'required' => false]],
		'callback'            => function (WP_REST_Request $request) {
			return ['greeting' => codebox_greeter_greeting($request->get_param('name'))];
		},
	]);
});

/** GraphQL (when WPGraphQL is active): { greeting(name: "Ada") } */
add_action('graphql_register_types', function () {
	register_graphql_field('RootQuery', 'greeting', [
		'type'        => 'String',
		'description' => 'A greeting from Codebox Greeter.',
		'args'        => ['name' => ['type' => 'String']],
		'resolve'     => function ($root, $args) {
			return codebox_greeter_greeting($args['name'] ?? '');
		},
	]);
});

/** A hook that writes an option: the title of the last post published. */
add_action('transition_post_status', function ($new_status, $old_status, $post) {
	if ('publish' === $new_status && 'publish' !== $old_status && 'post' === $post->post_type) {
		update_option('codebox_greeter_last_published', $post->post_title);
	}
}, 10, 3);
