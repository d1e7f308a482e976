<?php
/**
 * Plugin Name: Healthy Stack
 * Description: codebox example plugin: needs a setup option and answers a ping, so its recipe's probes pass.
 * Version: 1.0.0
 */

if (!defined('ABSPATH')) {
	exit;
}

/** True once the recipe's setup step has stored the readiness option. */
function healthy_stack_ready() {
	return get_option('healthy_stack_ready') === 'yes';
}

register_activation_hook(__FILE__, function () {
	add_option('healthy_stack_activated_at', gmdate('c'));
});

// GET /wp-json/healthy-stack/v1/ping answers "pong" once the stack is ready.
add_action('rest_api_init', function () {
	register_rest_route('healthy-stack/v1', '/ping', array(
		'methods' => 'GET',
		'permission_callback' => '__return_true',
		'callback' => function () {
			if (!healthy_stack_ready()) {
				return new WP_Error('healthy_stack_not_ready', 'not ready', array('status' => 503));
			}
			return array('answer' => 'pong', 'mode' => apply_filters('healthy_stack_mode', 'none'));
		},
	));
});
