/**
 * PHP source of the must-use plugin `/wordpress/wp-content/mu-plugins/codebox-graphql-guardrails.php`, installed in
 * every runtime. It does nothing unless WPGraphQL is active. Configuration: the JSON in the PHP constant
 * `CODEBOX_GRAPHQL_GUARDRAILS` (`maxDepth`, `maxComplexity`, `maxPageSize`, `maxBodyBytes`); missing values fall back
 * to the defaults of `GraphqlGuardrailsSchema`.
 *
 * - depth and complexity: webonyx `QueryDepth` / `QueryComplexity` validation rules through `graphql_validation_rules`
 *   (replacing WPGraphQL's own, off-by-default, depth rule), so a violation is a validation error and nothing executes;
 * - page size: `first`/`last` above the maximum is a GraphQL error on that connection field
 *   (`graphql_connection_amount_requested`), and `graphql_connection_max_query_amount` caps every connection as a
 *   backstop;
 * - body size: checked on `graphql_process_http_request`, before WPGraphQL reads the body; answers HTTP 413 with a
 *   GraphQL-shaped `errors` array.
 */
export const GRAPHQL_GUARDRAILS_PHP = String.raw`<?php
/**
 * Plugin Name: codebox GraphQL guardrails
 * Description: Installed by codebox. Limits WPGraphQL query depth, complexity, page size and request body size.
 *   Configured by the CODEBOX_GRAPHQL_GUARDRAILS constant (JSON).
 * Version: 1
 */

if ( ! defined( 'ABSPATH' ) ) {
	return;
}

function codebox_graphql_guardrails() {
	static $config = null;
	if ( null === $config ) {
		$defaults = array( 'maxDepth' => 10, 'maxComplexity' => 500, 'maxPageSize' => 100, 'maxBodyBytes' => 65536 );
		$decoded  = defined( 'CODEBOX_GRAPHQL_GUARDRAILS' ) && is_string( CODEBOX_GRAPHQL_GUARDRAILS ) ? json_decode( CODEBOX_GRAPHQL_GUARDRAILS, true ) : null;
		$config   = array_map( 'intval', is_array( $decoded ) ? array_merge( $defaults, array_intersect_key( $decoded, $defaults ) ) : $defaults );
	}
	return $config;
}

add_filter(
	'graphql_validation_rules',
	function ( $rules ) {
		$config = codebox_graphql_guardrails();
		if ( class_exists( '\GraphQL\Validator\Rules\QueryDepth' ) ) {
			$rules['query_depth'] = new \GraphQL\Validator\Rules\QueryDepth( $config['maxDepth'] );
		}
		if ( class_exists( '\GraphQL\Validator\Rules\QueryComplexity' ) ) {
			$rules['codebox_query_complexity'] = new \GraphQL\Validator\Rules\QueryComplexity( $config['maxComplexity'] );
		}
		return $rules;
	},
	PHP_INT_MAX
);

add_filter(
	'graphql_connection_max_query_amount',
	function () {
		return codebox_graphql_guardrails()['maxPageSize'];
	},
	PHP_INT_MAX
);

add_filter(
	'graphql_connection_amount_requested',
	function ( $amount, $resolver = null ) {
		$max  = codebox_graphql_guardrails()['maxPageSize'];
		$args = is_object( $resolver ) && method_exists( $resolver, 'get_args' ) ? (array) $resolver->get_args() : array();
		// Only what the query asked for is an error; a resolver's own default amount is capped silently.
		foreach ( array( 'first', 'last' ) as $name ) {
			if ( isset( $args[ $name ] ) && (int) $args[ $name ] > $max && class_exists( '\GraphQL\Error\UserError' ) ) {
				throw new \GraphQL\Error\UserError(
					sprintf( 'A connection asked for %d items (%s); this runtime returns at most %d per page (graphql.maxPageSize). Use first/last up to %d and paginate with after/before.', (int) $args[ $name ], $name, $max, $max )
				);
			}
		}
		return min( (int) $amount, $max );
	},
	PHP_INT_MAX,
	2
);

add_action(
	'graphql_process_http_request',
	function () {
		$max    = codebox_graphql_guardrails()['maxBodyBytes'];
		$method = isset( $_SERVER['REQUEST_METHOD'] ) ? strtoupper( $_SERVER['REQUEST_METHOD'] ) : 'GET';
		if ( 'GET' === $method ) {
			$bytes = isset( $_SERVER['QUERY_STRING'] ) ? strlen( $_SERVER['QUERY_STRING'] ) : 0;
		} elseif ( isset( $_SERVER['CONTENT_LENGTH'] ) && is_numeric( $_SERVER['CONTENT_LENGTH'] ) ) {
			$bytes = (int) $_SERVER['CONTENT_LENGTH'];
		} else {
			$bytes = strlen( (string) file_get_contents( 'php://input' ) );
		}
		if ( $bytes <= $max ) {
			return;
		}
		status_header( 413 );
		header( 'Content-Type: application/json; charset=utf-8' );
		echo wp_json_encode(
			array(
				'errors' => array(
					array(
						'message'    => sprintf( 'The GraphQL request is %d bytes; this runtime accepts at most %d bytes (graphql.maxBodyBytes).', $bytes, $max ),
						'extensions' => array( 'code' => 'CODEBOX_BODY_TOO_LARGE', 'maxBodyBytes' => $max, 'bytes' => $bytes ),
					),
				),
			)
		);
		exit;
	},
	-PHP_INT_MAX
);
`
