<?php
/**
 * Plugin Name: Licensed Widget
 * Description: codebox example plugin that is only healthy with a license option, which its recipe never sets.
 * Version: 1.0.0
 */

if (!defined('ABSPATH')) {
	exit;
}

/** True when a license key has been stored. */
function licensed_widget_is_licensed() {
	return (string) get_option('licensed_widget_license', '') !== '';
}
