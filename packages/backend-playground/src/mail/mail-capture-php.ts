/**
 * The mail capture: PHP source of the must-use plugin the backend writes to
 * `/wordpress/wp-content/mu-plugins/codebox-mail.php`.
 *
 * It answers WordPress's `pre_wp_mail` filter (WordPress 5.7 and later) last, so `wp_mail()` returns before PHPMailer
 * is even set up: nothing is ever sent. Each message (after every `wp_mail` filter ran) goes to the host through
 * php-wasm's `post_message_to_js()` as JSON `{ codebox: 'mail.captured', mail: { … } }`: recipients, subject,
 * headers, the `From` WordPress would use, the body (its first {@link MAIL_CAPTURE_MAX_BODY_BYTES} bytes and its size)
 * and each attachment's name and size, never its content. `wp_mail()` returns true, or what an earlier `pre_wp_mail`
 * callback returned. Under the WordPress test library (`wordpress.phpunit`), whose `MockPHPMailer` sends nothing, the
 * message is captured and then handed on to the mock, so a plugin's own tests can still inspect it.
 */
export const MAIL_CAPTURE_MAX_BODY_BYTES = 1024 * 1024

/** See the module comment. */
export const MAIL_CAPTURE_PHP = String.raw`<?php
/**
 * Plugin Name: codebox mail capture
 * Description: Installed by codebox. wp_mail() never sends: every message is handed to the codebox host instead.
 * Version: 1
 */

if ( ! defined( 'ABSPATH' ) ) {
	return;
}

function codebox_mail_addresses( $value ) {
	$items = is_array( $value ) ? $value : explode( ',', (string) $value );
	$out   = array();
	foreach ( $items as $item ) {
		$item = trim( (string) $item );
		if ( '' !== $item ) {
			$out[] = $item;
		}
	}
	return $out;
}

function codebox_mail_capture( $short_circuit, $atts ) {
	$headers = isset( $atts['headers'] ) ? $atts['headers'] : array();
	if ( ! is_array( $headers ) ) {
		$headers = explode( "\n", str_replace( "\r\n", "\n", (string) $headers ) );
	}
	$lines = array();
	$from  = null;
	$cc    = array();
	$bcc   = array();
	foreach ( $headers as $header ) {
		$header = trim( (string) $header );
		if ( '' === $header ) {
			continue;
		}
		$lines[] = $header;
		$colon   = strpos( $header, ':' );
		if ( false === $colon ) {
			continue;
		}
		$name  = strtolower( trim( substr( $header, 0, $colon ) ) );
		$value = trim( substr( $header, $colon + 1 ) );
		if ( 'from' === $name ) {
			$from = $value;
		} elseif ( 'cc' === $name ) {
			$cc = array_merge( $cc, codebox_mail_addresses( $value ) );
		} elseif ( 'bcc' === $name ) {
			$bcc = array_merge( $bcc, codebox_mail_addresses( $value ) );
		}
	}
	if ( null === $from ) {
		// What wp_mail() would put in From, filters included.
		$host = strtolower( (string) wp_parse_url( network_home_url(), PHP_URL_HOST ) );
		if ( 0 === strpos( $host, 'www.' ) ) {
			$host = substr( $host, 4 );
		}
		$email = apply_filters( 'wp_mail_from', 'wordpress@' . $host );
		$name  = apply_filters( 'wp_mail_from_name', 'WordPress' );
		$from  = '' === (string) $name ? (string) $email : $name . ' <' . $email . '>';
	}

	$attachments = isset( $atts['attachments'] ) ? $atts['attachments'] : array();
	if ( ! is_array( $attachments ) ) {
		$attachments = explode( "\n", str_replace( "\r\n", "\n", (string) $attachments ) );
	}
	$files = array();
	foreach ( $attachments as $key => $path ) {
		$path = (string) $path;
		if ( '' === trim( $path ) ) {
			continue;
		}
		$size    = @is_file( $path ) ? @filesize( $path ) : false;
		$files[] = array(
			'name'      => is_string( $key ) && '' !== $key ? $key : basename( $path ),
			'sizeBytes' => false === $size ? null : $size,
		);
	}

	$body  = isset( $atts['message'] ) ? (string) $atts['message'] : '';
	$bytes = strlen( $body );
	$limit = ${MAIL_CAPTURE_MAX_BODY_BYTES};
	$mail  = array(
		'from'        => (string) $from,
		'to'          => codebox_mail_addresses( isset( $atts['to'] ) ? $atts['to'] : array() ),
		'cc'          => $cc,
		'bcc'         => $bcc,
		'subject'     => isset( $atts['subject'] ) ? (string) $atts['subject'] : '',
		'headers'     => $lines,
		'body'        => $bytes > $limit ? substr( $body, 0, $limit ) : $body,
		'bodyBytes'   => $bytes,
		'attachments' => $files,
	);
	if ( function_exists( 'post_message_to_js' ) ) {
		$json = json_encode(
			array( 'codebox' => 'mail.captured', 'mail' => $mail ),
			JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE
		);
		if ( false !== $json ) {
			post_message_to_js( $json );
		}
	}
	if ( null === $short_circuit && isset( $GLOBALS['phpmailer'] ) && is_a( $GLOBALS['phpmailer'], 'MockPHPMailer' ) ) {
		// The WordPress test library's mock mailer sends nothing either: let its tests see the message too.
		return null;
	}
	return null === $short_circuit ? true : $short_circuit;
}

add_filter( 'pre_wp_mail', 'codebox_mail_capture', PHP_INT_MAX, 2 );
`
