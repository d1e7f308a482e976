/** The tenant-routing name of a request, or why it has none. */
export type HostName =
  | { readonly ok: true; readonly hostname: string }
  | { readonly ok: false; readonly reason: 'missing' | 'duplicate' | 'malformed' }

const NAME = /^[a-z0-9_](?:[a-z0-9_-]{0,62})?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62})?)*\.?$/
const IPV6 = /^\[[0-9a-f:.]+\]$/

/**
 * The host name a request is routed by: its one `Host` header, lower-cased, without port and trailing dot. A request
 * with no `Host`, several `Host` headers (Node keeps only the first in `headers`, so `rawHeaders` is read), or a value
 * that is not `name[:port]` or `[v6][:port]` (user info, paths, spaces, commas) has none. `X-Forwarded-Host`,
 * `Forwarded` and the authority of an absolute-form request target are never consulted.
 */
export function hostNameOf(rawHeaders: readonly string[]): HostName {
  const values: string[] = []
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if ((rawHeaders[index] as string).toLowerCase() === 'host') values.push(rawHeaders[index + 1] as string)
  }
  if (values.length === 0) return { ok: false, reason: 'missing' }
  if (values.length > 1) return { ok: false, reason: 'duplicate' }
  const value = (values[0] as string).trim().toLowerCase()
  let name = value
  const port = /:(\d{1,5})$/.exec(value)
  if (port && (value.startsWith('[') ? value.lastIndexOf(']') < (port.index ?? 0) : true)) {
    if (Number(port[1]) > 65535) return { ok: false, reason: 'malformed' }
    name = value.slice(0, port.index)
  }
  if (IPV6.test(name)) return { ok: true, hostname: name }
  if (name.length === 0 || name.length > 254 || !NAME.test(name)) return { ok: false, reason: 'malformed' }
  return { ok: true, hostname: name.endsWith('.') ? name.slice(0, -1) : name }
}
