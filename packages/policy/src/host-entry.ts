// Internal: grammar, canonical form and matching of `network.allowHosts` entries.

/** A parsed, canonical allow-list entry. */
export interface HostEntry {
  /** `exact` matches one host; `wildcard` matches every subdomain of `host` (at any depth) but not `host` itself. */
  readonly kind: 'exact' | 'wildcard'
  /** Lower-case host without trailing dot; IPv6 addresses in brackets in canonical form (`[::1]`). */
  readonly host: string
  /** The only port allowed, or undefined for any port. */
  readonly port: number | undefined
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string }

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

function isIpLiteral(host: string): boolean {
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
