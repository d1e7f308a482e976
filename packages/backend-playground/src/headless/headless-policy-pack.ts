/**
 * The headless policy pack: PHP source of the must-use plugin the backend writes to
 * `/wordpress/wp-content/mu-plugins/codebox-headless.php`.
 *
 * Its configuration is the JSON in the PHP constant `CODEBOX_HEADLESS` (see `headless-config.ts`), never spliced into
 * this source. Without a readable configuration every rule is on and outbound HTTP is denied (fail closed).
 *
 * Outbound WordPress HTTP is matched like `isHostAllowed` of `@codebox/policy`: the host side passes the allow-list
 * entries already canonicalised (`{ kind: 'exact' | 'wildcard', host, port }`); this file canonicalises the request's
 * host (lower case, one trailing dot removed, IPv6 through inet_pton/inet_ntop, IDN through idn_to_ascii when present)
 * and refuses any host it cannot put in the WHATWG canonical form (IPv4 shorthand, octal or hex forms, non-ASCII names
 * without intl) — such hosts could only be allowed by the socket layer's own check, so they fail closed here.
 */
export const HEADLESS_POLICY_PACK_PHP = String.raw`<?php
/**
 * Plugin Name: codebox headless policy pack
 * Description: Installed by codebox. Turns WordPress into a headless API host: no file modifications, no automatic
 *   updates, no in-process WP-Cron, no local uploads, outbound HTTP only to hosts the runtime policy allows, no
 *   XML-RPC, no theme front end. Configured by the CODEBOX_HEADLESS constant (JSON).
 * Version: 1
 */

if ( ! defined( 'ABSPATH' ) ) {
	return;
}

function codebox_headless_config() {
	static $config = null;
	if ( null !== $config ) {
		return $config;
	}
	$defaults = array(
		'fileMods'       => true,
		'autoUpdates'    => true,
		'cron'           => true,
		'uploads'        => true,
		'outboundHttp'   => true,
		'xmlrpc'         => true,
		'frontend'       => true,
		'frontendStatus' => 404,
		'network'        => array( 'mode' => 'deny', 'hosts' => array() ),
	);
	$decoded = defined( 'CODEBOX_HEADLESS' ) && is_string( CODEBOX_HEADLESS ) ? json_decode( CODEBOX_HEADLESS, true ) : null;
	$config  = is_array( $decoded ) ? array_merge( $defaults, $decoded ) : $defaults;
	return $config;
}

function codebox_headless_enabled( $rule ) {
	$config = codebox_headless_config();
	return ! empty( $config[ $rule ] );
}

/** Canonical host as a WHATWG URL parser would give it, or null when it cannot be put in that form here. */
function codebox_headless_canonical_host( $host ) {
	if ( ! is_string( $host ) || '' === $host ) {
		return null;
	}
	if ( '[' === $host[0] ) {
		if ( ']' !== substr( $host, -1 ) ) {
			return null;
		}
		$packed = @inet_pton( substr( $host, 1, -1 ) );
		if ( false === $packed || 16 !== strlen( $packed ) ) {
			return null;
		}
		return '[' . inet_ntop( $packed ) . ']';
	}
	if ( false !== strpos( $host, ':' ) ) {
		$packed = @inet_pton( $host );
		return ( false !== $packed && 16 === strlen( $packed ) ) ? '[' . inet_ntop( $packed ) . ']' : null;
	}
	if ( preg_match( '/[^\x21-\x7e]/', $host ) ) {
		if ( ! function_exists( 'idn_to_ascii' ) ) {
			return null;
		}
		$host = idn_to_ascii( $host, IDNA_DEFAULT, INTL_IDNA_VARIANT_UTS46 );
		if ( ! is_string( $host ) ) {
			return null;
		}
	}
	$host = strtolower( $host );
	if ( '.' === substr( $host, -1 ) ) {
		$host = substr( $host, 0, -1 );
	}
	if ( '' === $host || strlen( $host ) > 253 ) {
		return null;
	}
	$labels = explode( '.', $host );
	foreach ( $labels as $label ) {
		if ( ! preg_match( '/^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/', $label ) ) {
			return null;
		}
	}
	// A host whose last label is a number is an IPv4 address to a URL parser; only the canonical dotted quad is kept.
	if ( preg_match( '/^(?:0x[0-9a-f]*|[0-9]+)$/', end( $labels ) ) ) {
		if ( 4 !== count( $labels ) ) {
			return null;
		}
		foreach ( $labels as $label ) {
			if ( ! preg_match( '/^(?:0|[1-9][0-9]{0,2})$/', $label ) || (int) $label > 255 ) {
				return null;
			}
		}
	}
	return $host;
}

function codebox_headless_is_ip_literal( $host ) {
	return '[' === $host[0] || preg_match( '/^\d{1,3}(?:\.\d{1,3}){3}$/', $host );
}

/**
 * The outbound-HTTP decision for a URL: [ 'allowed' => bool, 'host' => ?string, 'port' => ?int, 'reason' => string ].
 * Public so that tests and diagnostics can ask without sending anything.
 */
function codebox_headless_http_decision( $url ) {
	$config  = codebox_headless_config();
	$network = is_array( $config['network'] ) ? $config['network'] : array( 'mode' => 'deny' );
	$parts   = is_string( $url ) ? wp_parse_url( $url ) : false;
	$scheme  = is_array( $parts ) && isset( $parts['scheme'] ) ? strtolower( $parts['scheme'] ) : '';
	$raw     = is_array( $parts ) && isset( $parts['host'] ) ? $parts['host'] : '';
	$host    = codebox_headless_canonical_host( $raw );
	$port    = is_array( $parts ) && isset( $parts['port'] ) ? (int) $parts['port'] : ( 'https' === $scheme ? 443 : ( 'http' === $scheme ? 80 : null ) );
	$shown   = null === $host ? ( '' === $raw ? null : substr( preg_replace( '/[^\x21-\x7e]/', '?', $raw ), 0, 255 ) ) : $host;
	$answer  = function ( $allowed, $reason ) use ( $shown, $port ) {
		return array( 'allowed' => $allowed, 'host' => $shown, 'port' => $port, 'reason' => $reason );
	};
	if ( ! codebox_headless_enabled( 'outboundHttp' ) ) {
		return $answer( true, 'rule off' );
	}
	if ( 'allow' === ( $network['mode'] ?? 'deny' ) ) {
		return $answer( true, 'policy network: allow' );
	}
	if ( 'hosts' !== ( $network['mode'] ?? 'deny' ) ) {
		return $answer( false, 'policy network: deny' );
	}
	if ( null === $host || null === $port || ! in_array( $scheme, array( 'http', 'https' ), true ) ) {
		return $answer( false, 'not an http(s) URL with a canonical host' );
	}
	foreach ( (array) ( $network['hosts'] ?? array() ) as $entry ) {
		if ( ! is_array( $entry ) || ! isset( $entry['host'], $entry['kind'] ) ) {
			continue;
		}
		if ( isset( $entry['port'] ) && (int) $entry['port'] !== $port ) {
			continue;
		}
		if ( 'exact' === $entry['kind'] && $entry['host'] === $host ) {
			return $answer( true, 'policy network: allowHosts' );
		}
		if ( 'wildcard' === $entry['kind'] && ! codebox_headless_is_ip_literal( $host )
			&& substr( $host, -strlen( '.' . $entry['host'] ) ) === '.' . $entry['host'] ) {
			return $answer( true, 'policy network: allowHosts' );
		}
	}
	return $answer( false, 'host not in policy network.allowHosts' );
}

/* XML-RPC: refused before any method runs. */
if ( codebox_headless_enabled( 'xmlrpc' ) ) {
	if ( defined( 'XMLRPC_REQUEST' ) && XMLRPC_REQUEST ) {
		if ( ! headers_sent() ) {
			status_header( 403 );
			header( 'Content-Type: text/plain; charset=utf-8' );
		}
		echo "XML-RPC is disabled in this headless runtime (codebox headless.xmlrpc).\n";
		exit;
	}
	add_filter( 'xmlrpc_enabled', '__return_false', PHP_INT_MAX );
	add_filter( 'xmlrpc_methods', '__return_empty_array', PHP_INT_MAX );
	add_filter(
		'wp_headers',
		function ( $headers ) {
			unset( $headers['X-Pingback'] );
			return $headers;
		},
		PHP_INT_MAX
	);
}

/* No file modifications from inside WordPress. */
if ( codebox_headless_enabled( 'fileMods' ) ) {
	if ( ! defined( 'DISALLOW_FILE_MODS' ) ) {
		define( 'DISALLOW_FILE_MODS', true );
	}
	if ( ! defined( 'DISALLOW_FILE_EDIT' ) ) {
		define( 'DISALLOW_FILE_EDIT', true );
	}
	add_filter( 'file_mod_allowed', '__return_false', PHP_INT_MAX );
}

/* Automatic updates off (and no update checks scheduled). */
if ( codebox_headless_enabled( 'autoUpdates' ) ) {
	if ( ! defined( 'AUTOMATIC_UPDATER_DISABLED' ) ) {
		define( 'AUTOMATIC_UPDATER_DISABLED', true );
	}
	if ( ! defined( 'WP_AUTO_UPDATE_CORE' ) ) {
		define( 'WP_AUTO_UPDATE_CORE', false );
	}
	add_filter( 'automatic_updater_disabled', '__return_true', PHP_INT_MAX );
	foreach ( array( 'auto_update_core', 'auto_update_plugin', 'auto_update_theme', 'auto_update_translation', 'plugins_auto_update_enabled', 'themes_auto_update_enabled' ) as $codebox_filter ) {
		add_filter( $codebox_filter, '__return_false', PHP_INT_MAX );
	}
	unset( $codebox_filter );
	remove_action( 'init', 'wp_schedule_update_checks' );
}

/* WP-Cron never spawns in-process; an outside scheduler may still call wp-cron.php or wp-cli. */
if ( codebox_headless_enabled( 'cron' ) ) {
	if ( ! defined( 'DISABLE_WP_CRON' ) ) {
		define( 'DISABLE_WP_CRON', true );
	}
	remove_action( 'init', 'wp_cron' );
	add_filter(
		'cron_request',
		function ( $request ) {
			$request['url'] = '';
			return $request;
		},
		PHP_INT_MAX
	);
}

/* Local uploads refused. */
if ( codebox_headless_enabled( 'uploads' ) ) {
	$codebox_upload_error = 'Uploads are disabled in this headless runtime (codebox headless.uploads).';
	add_filter(
		'map_meta_cap',
		function ( $caps, $cap ) {
			if ( in_array( $cap, array( 'upload_files', 'unfiltered_upload' ), true ) ) {
				$caps[] = 'do_not_allow';
			}
			return $caps;
		},
		PHP_INT_MAX,
		2
	);
	foreach ( array( 'wp_handle_upload_prefilter', 'wp_handle_sideload_prefilter' ) as $codebox_filter ) {
		add_filter(
			$codebox_filter,
			function ( $file ) use ( $codebox_upload_error ) {
				$file['error'] = $codebox_upload_error;
				return $file;
			},
			PHP_INT_MAX
		);
	}
	unset( $codebox_filter );
	add_filter(
		'wp_upload_bits',
		function () use ( $codebox_upload_error ) {
			return $codebox_upload_error;
		},
		PHP_INT_MAX
	);
	add_filter(
		'rest_pre_dispatch',
		function ( $result, $server, $request ) use ( $codebox_upload_error ) {
			if ( 'GET' !== $request->get_method() && 'HEAD' !== $request->get_method() && 0 === strpos( $request->get_route(), '/wp/v2/media' ) ) {
				return new WP_Error( 'codebox_uploads_disabled', $codebox_upload_error, array( 'status' => 403 ) );
			}
			return $result;
		},
		PHP_INT_MAX,
		3
	);
	unset( $codebox_upload_error );
}

/* Outbound WordPress HTTP only to hosts the runtime policy allows; each refusal is logged for a network.blocked event. */
if ( codebox_headless_enabled( 'outboundHttp' ) ) {
	add_filter(
		'pre_http_request',
		function ( $preempt, $args, $url ) {
			if ( false !== $preempt ) {
				return $preempt;
			}
			$decision = codebox_headless_http_decision( $url );
			if ( $decision['allowed'] ) {
				return $preempt;
			}
			error_log( '[codebox:network.blocked] ' . wp_json_encode( array( 'host' => $decision['host'], 'port' => $decision['port'], 'via' => 'wordpress-http' ) ) );
			return new WP_Error(
				'codebox_http_blocked',
				sprintf( 'Outbound HTTP to %s is not allowed by this runtime\'s network policy (%s).', $decision['host'] ?? '(invalid host)', $decision['reason'] )
			);
		},
		PHP_INT_MAX,
		3
	);
}

/* Front-end theme rendering off: GraphQL and REST answer before template_redirect; everything else gets the status. */
if ( codebox_headless_enabled( 'frontend' ) ) {
	add_action(
		'template_redirect',
		function () {
			$config = codebox_headless_config();
			$status = 410 === (int) $config['frontendStatus'] ? 410 : 404;
			status_header( $status );
			nocache_headers();
			header( 'Content-Type: application/json; charset=utf-8' );
			echo wp_json_encode(
				array(
					'code'    => 'codebox_headless_no_frontend',
					'message' => 'This is a headless WordPress: use /graphql or /wp-json/ (codebox headless.frontend).',
					'status'  => $status,
				)
			);
			exit;
		},
		-PHP_INT_MAX
	);
}
`
