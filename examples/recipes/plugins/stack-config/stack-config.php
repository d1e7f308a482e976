<?php
/**
 * Plugin Name: Stack Config
 * Description: codebox example must-use plugin, kept in its own directory and loaded by a recipe loader file.
 * Version: 1.0.0
 */

if (!defined('ABSPATH')) {
	exit;
}

define('STACK_CONFIG_LOADED', true);

add_filter('healthy_stack_mode', function () {
	return defined('HEALTHY_STACK_MODE') ? HEALTHY_STACK_MODE : 'default';
});
