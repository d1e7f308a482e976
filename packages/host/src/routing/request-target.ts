/** Where a request goes, decided from its raw request target alone. */
export type RequestTarget =
  /** WPGraphQL: forwarded to `/graphql` with the query string (minus parameters that would reroute it). */
  | { readonly kind: 'graphql'; readonly forwardPath: string; readonly query: string }
  /** The REST API: forwarded as `/index.php?rest_route=…`, never as a path WordPress could map to a file. */
  | { readonly kind: 'rest'; readonly route: string; readonly forwardPath: string }
  /** Media ingest, handled by the host. */
  | { readonly kind: 'media' }
  /** Anything else: wp-admin, theme pages, PHP files. Answered 404. */
  | { readonly kind: 'not-served' }
  /** A target the host refuses to interpret (answered 400), with the reason. */
  | { readonly kind: 'bad'; readonly reason: string }

/** Query parameters that make WordPress serve another endpoint than the path says (REST, WPGraphQL). */
const REROUTING_PARAMETERS = new Set(['rest_route', 'graphql'])

/** `%2e` (.), `%2f` (/), `%5c` (\) and `%00`: encodings that could turn into path syntax after decoding. */
const ENCODED_SYNTAX = /%(?:2e|2f|5c|00)/i

function withoutReroutingParameters(query: string): string {
  if (query === '') return ''
  return query
    .split('&')
    .filter((part) => {
      const name = part.split('=')[0] ?? ''
      let decoded: string
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '))
      } catch {
        return false
      }
      // PHP turns "rest_route[]" and "rest.route" into rest_route-like keys too.
      const key = decoded.replace(/\[.*$/, '').replace(/[. ]/g, '_').toLowerCase()
      return !REROUTING_PARAMETERS.has(key)
    })
    .join('&')
}

/**
 * Classifies a raw request target (as the client sent it). Only origin-form targets are accepted: an absolute-form
 * target (`http://b.test/graphql`), `*` or an authority would let the target name another host than `Host`. Paths
 * with dot segments, empty segments, backslashes, control characters or encoded `.`, `/`, `\` or NUL are refused
 * rather than normalised, so no spelling of a path reaches WordPress as anything but `/graphql` or the REST API.
 */
export function classifyRequestTarget(rawTarget: string): RequestTarget {
  if (!rawTarget.startsWith('/') || rawTarget.startsWith('//')) {
    return { kind: 'bad', reason: 'only origin-form request targets ("/graphql") are accepted' }
  }
  const at = rawTarget.indexOf('?')
  const path = at < 0 ? rawTarget : rawTarget.slice(0, at)
  const query = at < 0 ? '' : rawTarget.slice(at + 1)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused here.
  if (/[\\\u0000-\u001f\u007f\s]/.test(rawTarget) || ENCODED_SYNTAX.test(path)) {
    return {
      kind: 'bad',
      reason: 'the path holds a backslash, a control character or an encoded ".", "/" or "\\"',
    }
  }
  const segments = path.split('/').slice(1)
  if (
    segments.some(
      (segment, index) =>
        segment === '.' || segment === '..' || (segment === '' && index < segments.length - 1),
    )
  ) {
    return { kind: 'bad', reason: 'the path holds "." or ".." segments or an empty segment' }
  }
  if (path === '/graphql' || path === '/graphql/') {
    const kept = withoutReroutingParameters(query)
    return { kind: 'graphql', forwardPath: kept === '' ? '/graphql' : `/graphql?${kept}`, query: kept }
  }
  if (path === '/wp-json' || path.startsWith('/wp-json/')) {
    let route: string
    try {
      route = decodeURIComponent(path.slice('/wp-json'.length)) || '/'
    } catch {
      return { kind: 'bad', reason: 'the path is not valid percent-encoding' }
    }
    const kept = withoutReroutingParameters(query)
    return {
      kind: 'rest',
      route,
      forwardPath: `/index.php?rest_route=${encodeURIComponent(route)}${kept === '' ? '' : `&${kept}`}`,
    }
  }
  if (path === '/_codebox/media') return { kind: 'media' }
  return { kind: 'not-served' }
}
