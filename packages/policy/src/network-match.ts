/**
 * Grammar, canonical form and matching of `network.allowHosts` entries, and the `policy.network` check.
 *
 * The same code runs behind the package's API (`isHostAllowed`, the zod schema) and inside the Playground
 * backend's PHP worker threads, which import it as `@codebox/policy/network-match`. It therefore depends on
 * nothing but the WHATWG `URL` global: the worker stays small and loads no zod.
 *
 * @module
 */

/** A parsed, canonical allow-list entry. */
export interface HostEntry {
  /** `exact` matches one host; `wildcard` matches every subdomain of `host` (at any depth) but not `host` itself. */
  readonly kind: 'exact' | 'wildcard'
  /** Lower-case host without trailing dot; IPv6 addresses in brackets in canonical form (`[::1]`). */
  readonly host: string
  /** The only port allowed, or undefined for any port. */
  readonly port: number | undefined
}

/** `policy.network`: `'deny'`, `'allow'` or `{ allowHosts }`. */
export type NetworkValue = 'deny' | 'allow' | { readonly allowHosts: readonly string[] }

/** A parsed value, or what is wrong with the input and how to write it instead. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string }

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/

/**
 * Canonicalises a host name or IP literal the way a WHATWG URL parser would (lower case, IDNA to punycode,
 * IPv4 shorthand expanded, IPv6 compressed) and strips one trailing dot. Bare IPv6 (`::1`) is accepted and
 * returned in brackets. Returns undefined when the host is not valid.
 */
export function canonicalHost(raw: string): string | undefined {
  let host = raw
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`
  if (host === '' || /[\s/?#@\\%]/.test(host)) return undefined
  // A bracketed host must be only the address: `[::1]:80` would otherwise lose its default port silently.
  if (host.startsWith('[') && !host.endsWith(']')) return undefined
  let hostname: string
  try {
    const url = new URL(`http://${host}/`)
    if (url.port !== '' || url.username !== '' || url.pathname !== '/') return undefined
    hostname = url.hostname
  } catch {
    return undefined
  }
  if (hostname.startsWith('[')) return hostname
  if (hostname.endsWith('.')) hostname = hostname.slice(0, -1)
  if (hostname.length === 0 || hostname.length > 253) return undefined
  if (!hostname.split('.').every((label) => LABEL.test(label))) return undefined
  return hostname
}

/** True for a canonical IP literal (`127.0.0.1`, `[::1]`). */
export function isIpLiteral(host: string): boolean {
  return host.startsWith('[') || IPV4.test(host)
}

function parsePort(text: string, entry: string): Parsed<number> {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    return { ok: false, problem: `invalid port in ${JSON.stringify(entry)}; use a number from 1 to 65535` }
  }
  return { ok: true, value: Number(text) }
}

/** Parses one `allowHosts` entry, or explains what is wrong with it and how to write it instead. */
export function parseHostEntry(entry: string): Parsed<HostEntry> {
  const quoted = JSON.stringify(entry)
  if (entry === '')
    return { ok: false, problem: 'empty host; remove it or write a host such as "api.example.com"' }
  if (entry === '*' || entry.startsWith('*:')) {
    return { ok: false, problem: 'a bare "*" is not allowed; use network: "allow" to allow every host' }
  }
  if (/\s/.test(entry)) return { ok: false, problem: `remove the whitespace from ${quoted}` }
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(entry)
  if (scheme) {
    return {
      ok: false,
      problem: `${quoted} is a URL; write only the host (and optional port), e.g. ${JSON.stringify(entry.slice(scheme[0].length).split(/[/?#]/)[0])}`,
    }
  }
  if (/[/?#]/.test(entry)) {
    return {
      ok: false,
      problem: `${quoted} contains a path, query or fragment; write only the host, e.g. ${JSON.stringify(entry.split(/[/?#]/)[0])}`,
    }
  }
  if (entry.includes('@')) return { ok: false, problem: `remove the user info ("...@") from ${quoted}` }
  if (/[\\%]/.test(entry))
    return { ok: false, problem: `${quoted} contains "\\" or "%"; write a plain host name` }

  let hostPart = entry
  let port: number | undefined
  if (entry.startsWith('[')) {
    const match = /^(\[[^\]]+\])(?::(.*))?$/.exec(entry)
    if (!match)
      return {
        ok: false,
        problem: `${quoted} is not a valid IPv6 entry; write it like "[::1]" or "[::1]:8080"`,
      }
    hostPart = match[1] as string
    if (match[2] !== undefined) {
      const parsed = parsePort(match[2], entry)
      if (!parsed.ok) return parsed
      port = parsed.value
    }
  } else {
    const colons = entry.split(':').length - 1
    if (colons > 1) {
      return { ok: false, problem: `wrap IPv6 addresses in brackets, e.g. "[${entry}]" or "[::1]:8080"` }
    }
    if (colons === 1) {
      const at = entry.indexOf(':')
      hostPart = entry.slice(0, at)
      const parsed = parsePort(entry.slice(at + 1), entry)
      if (!parsed.ok) return parsed
      port = parsed.value
    }
  }

  let kind: HostEntry['kind'] = 'exact'
  if (hostPart.startsWith('*.')) {
    kind = 'wildcard'
    hostPart = hostPart.slice(2)
  }
  if (hostPart.includes('*')) {
    return {
      ok: false,
      problem: `${quoted} has a misplaced "*"; a wildcard may only be a whole leading label, as in "*.example.com"`,
    }
  }
  const host = canonicalHost(hostPart)
  if (host === undefined || (!hostPart.startsWith('[') && hostPart.includes(':'))) {
    return {
      ok: false,
      problem: `${quoted} is not a valid host; use a name such as "api.example.com", an IPv4 address or a bracketed IPv6 address`,
    }
  }
  if (kind === 'wildcard' && isIpLiteral(host)) {
    return {
      ok: false,
      problem: `${quoted} puts a wildcard on an IP address; list the address itself instead`,
    }
  }
  return { ok: true, value: { kind, host, port } }
}

/** True when the canonical `host` (and `port`, if the entry restricts it) matches `entry`. */
export function hostEntryMatches(entry: HostEntry, host: string, port: number | undefined): boolean {
  if (entry.port !== undefined && entry.port !== port) return false
  if (entry.kind === 'exact') return entry.host === host
  return !isIpLiteral(host) && host.endsWith(`.${entry.host}`)
}

const parsedEntries = new WeakMap<readonly string[], readonly HostEntry[]>()

function entriesOf(allowHosts: readonly string[]): readonly HostEntry[] {
  let entries = parsedEntries.get(allowHosts)
  if (entries === undefined) {
    // Entries that do not parse are skipped (they can only appear if the policy bypassed validation).
    entries = allowHosts.flatMap((entry) => {
      const parsed = parseHostEntry(entry)
      return parsed.ok ? [parsed.value] : []
    })
    parsedEntries.set(allowHosts, entries)
  }
  return entries
}

/**
 * True when `network` (`policy.network`) allows a connection to `host` (and `port`). See `isHostAllowed` in
 * the package's API for the full matching rules: exact entries match case-insensitively ignoring one trailing
 * dot, `*.example.com` matches subdomains at any depth but not the apex, an entry with a port allows only that
 * port, IP literals are canonicalised as a URL parser would, and an invalid host is never allowed.
 *
 * @param network - `policy.network`
 * @param host - a host name or IP literal (IPv6 with or without brackets)
 * @param port - the destination port, if known
 */
export function isHostAllowed(network: NetworkValue, host: string, port?: number): boolean {
  if (network === 'deny') return false
  if (network === 'allow') return true
  if (typeof network !== 'object' || network === null || !Array.isArray(network.allowHosts)) return false
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) return false
  const canonical = canonicalHost(host)
  if (canonical === undefined) return false
  return entriesOf(network.allowHosts).some((entry) => hostEntryMatches(entry, canonical, port))
}
