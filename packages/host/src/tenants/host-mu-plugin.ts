/** The file name of the host's must-use plugin in every tenant runtime (`playground({ muPlugins })`). */
export const HOST_MU_PLUGIN_FILE = 'codebox-host.php'

/** The post meta that holds an ingested attachment's public URL in the object store. */
export const EXTERNAL_URL_META = '_codebox_external_url'

/**
 * PHP source of the host's must-use plugin, next to the backend's headless policy pack: application passwords over
 * the host's plain-HTTP loopback hop (TLS ends at the gatekeeper in front), and attachment URLs taken from the
 * object store for media registered by media ingest. The backend writes it at create and after every recovery.
 */
export const HOST_MU_PLUGIN_PHP = `<?php
/**
 * Plugin Name: codebox host
 * Description: Installed by the codebox host. Application passwords behind the gatekeeper's TLS;
 *   attachment URLs of ingested media point at the object store.
 * Version: 1
 */

if ( ! defined( 'ABSPATH' ) ) {
	return;
}

// The host speaks plain HTTP on loopback; TLS ends at the gatekeeper, so WordPress would otherwise refuse them.
add_filter( 'wp_is_application_passwords_available', '__return_true', PHP_INT_MAX );

function codebox_host_external_url( $attachment_id ) {
	$url = get_post_meta( (int) $attachment_id, '${EXTERNAL_URL_META}', true );
	return is_string( $url ) && '' !== $url ? $url : null;
}

add_filter(
	'wp_get_attachment_url',
	function ( $url, $attachment_id ) {
		$external = codebox_host_external_url( $attachment_id );
		return null === $external ? $url : $external;
	},
	PHP_INT_MAX,
	2
);

add_filter(
	'wp_get_attachment_image_src',
	function ( $image, $attachment_id ) {
		$external = codebox_host_external_url( $attachment_id );
		if ( null === $external ) {
			return $image;
		}
		$meta = wp_get_attachment_metadata( $attachment_id );
		$width  = is_array( $meta ) && isset( $meta['width'] ) ? (int) $meta['width'] : 0;
		$height = is_array( $meta ) && isset( $meta['height'] ) ? (int) $meta['height'] : 0;
		return array( $external, $width, $height, false );
	},
	PHP_INT_MAX,
	2
);

// The object store holds one size of each object: no srcset of local resized copies.
add_filter(
	'wp_calculate_image_srcset',
	function ( $sources, $size_array, $image_src, $image_meta, $attachment_id ) {
		return null === codebox_host_external_url( $attachment_id ) ? $sources : false;
	},
	PHP_INT_MAX,
	5
);
`
