<?php
/**
 * Plugin Name: Word Count
 * Description: Counts the words of a text: the [word_count] shortcode and GET /wp-json/word-count/v1/count?text=…
 * Version: 1.0.0
 */

defined('ABSPATH') || exit;

/** The number of words in $text. Splits on single spaces: double spaces, tabs and newlines count wrongly. */
function word_count_of($text) {
	// codebox:candidate-start
	return count(explode(' ', $text));
	// codebox:candidate-end
}

add_shortcode('word_count', function ($attributes, $content = '') {
	return (string) word_count_of((string) $content);
});

add_action('rest_api_init', function () {
	register_rest_route('word-count/v1', '/count', [
		'methods'             => 'GET',
		'permission_callback' => '__return_true',
		'callback'            => function (WP_REST_Request $request) {
			return ['words' => word_count_of((string) $request->get_param('text'))];
		},
	]);
});
