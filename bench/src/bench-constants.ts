/** The policy every codebox runtime in the run uses: WordPress commands only. */
export const POLICY = { commands: { allow: ['wordpress.*'] } } as const

/** The warm GraphQL request: resolves a post through WordPress's routing, like a headless front end does. */
export const GRAPHQL_QUERY = '{ nodeByUri(uri: "/hello-world/") { id } }'

/** The warm REST request, made anonymously everywhere (as an HTTP client of the native site is). */
export const REST_ROUTE = '/wp/v2/posts'

/** Pretty permalinks, as codebox templates use, so `/wp-json/`, `/graphql` and `nodeByUri` route alike everywhere. */
export const PERMALINK_STRUCTURE = '/%postname%/'

/** PHP version of the WebAssembly runtimes: codebox's default, also used for the raw baseline. */
export const WASM_PHP_VERSION = '8.3'
