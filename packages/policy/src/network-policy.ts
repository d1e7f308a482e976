import { isHostAllowed as matchNetwork } from './network-match.js'
import type { NetworkPolicy } from './policy-schema.js'

/**
 * True when `policy.network` allows a connection to `host` (and `port`).
 *
 * - `'deny'` allows nothing, `'allow'` allows everything.
 * - An exact entry matches the host case-insensitively, ignoring one trailing dot (`EXAMPLE.com.` = `example.com`).
 * - `*.example.com` matches subdomains at any depth (`a.b.example.com`) but not `example.com` itself, nor
 *   `evil-example.com` or `example.com.evil.net`.
 * - An entry without a port allows any port; an entry with a port allows only that port, so a call without a
 *   `port` does not match it.
 * - IPv6 addresses may be given with or without brackets (`[::1]` or `::1`); IPv4 shorthand and IDN names are
 *   canonicalised as a URL parser would (`127.1` = `127.0.0.1`, `bücher.de` = `xn--bcher-kva.de`).
 * - A host that is not a valid host name or IP literal is never allowed.
 *
 * The caller extracts the host: pass `new URL(url).hostname` and the effective port (the URL's port or the
 * scheme's default), never a raw authority, so user-info tricks (`https://example.com@evil.net/`) and other
 * URL-parsing confusions are resolved by the URL parser before this check.
 *
 * @param network - `policy.network` of an effective policy.
 * @param host - a host name or IP literal.
 * @param port - the destination port, if known.
 */
export function isHostAllowed(network: NetworkPolicy, host: string, port?: number): boolean {
  // The matching itself lives in network-match.ts, shared with the Playground backend's PHP socket layer.
  return matchNetwork(network, host, port)
}
