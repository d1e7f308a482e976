// @ts-check
/**
 * Grammar, canonical form and matching of `network.allowHosts` entries, and the `policy.network` check.
 *
 * Plain JavaScript (checked through JSDoc) so the same code runs both behind the package's TypeScript API
 * (`isHostAllowed`, the zod schema) and inside worker threads that run plain Node without a build step
 * (the Playground backend's PHP socket layer imports it as `@codebox/policy/network-match`). It depends on
 * nothing but the WHATWG `URL` global.
 *
 * @module
 */

/**
 * A parsed, canonical allow-list entry.
 *
 * @typedef {object} HostEntry
 * @property {'exact' | 'wildcard'} kind `exact` matches one host; `wildcard` matches every subdomain of `host`
 *   (at any depth) but not `host` itself.
 * @property {string} host Lower-case host without trailing dot; IPv6 addresses in brackets in canonical form (`[::1]`).
 * @property {number | undefined} port The only port allowed, or undefined for any port.
 */

/**
 * `policy.network`: `'deny'`, `'allow'` or `{ allowHosts }`.
 *
 * @typedef {'deny' | 'allow' | { readonly allowHosts: readonly string[] }} NetworkValue
 */

/**
 * @template T
 * @typedef {{ ok: true, value: T } | { ok: false, problem: string }} Parsed
 */

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/

/**
 * Canonicalises a host name or IP literal the way a WHATWG URL parser would (lower case, IDNA to punycode,
 * IPv4 shorthand expanded, IPv6 compressed) and strips one trailing dot. Bare IPv6 (`::1`) is accepted and
 * returned in brackets. Returns undefined when the host is not valid.
 *
 * @param {string} raw
 * @returns {string | undefined}
 */
export function canonicalHost(raw) {
  let host = raw
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`
  if (host === '' || /[\s/?#@\\%]/.test(host)) return undefined
  // A bracketed host must be only the address: `[::1]:80` would otherwise lose its default port silently.
  if (host.startsWith('[') && !host.endsWith(']')) return undefined
  /** @type {string} */
  let hostname
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

/**
 * True for a canonical IP literal (`127.0.0.1`, `[::1]`).
 *
 * @param {string} host
 * @returns {boolean}
 */
export function isIpLiteral(host) {
  return host.startsWith('[') || IPV4.test(host)
}

/**
 * @param {string} text
 * @param {string} entry
 * @returns {Parsed<number>}
 */
function parsePort(text, entry) {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    return { ok: false, problem: `invalid port in ${JSON.stringify(entry)}; use a number from 1 to 65535` }
  }
  return { ok: true, value: Number(text) }
}

/**
 * Parses one `allowHosts` entry, or explains what is wrong with it and how to write it instead.
 *
 * @param {string} entry
 * @returns {Parsed<HostEntry>}
 */
export function parseHostEntry(entry) {
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
  /** @type {number | undefined} */
  let port
  if (entry.startsWith('[')) {
    const match = /^(\[[^\]]+\])(?::(.*))?$/.exec(entry)
    if (!match)
      return {
        ok: false,
        problem: `${quoted} is not a valid IPv6 entry; write it like "[::1]" or "[::1]:8080"`,
      }
    hostPart = /** @type {string} */ (match[1])
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

  /** @type {HostEntry['kind']} */
  let kind = 'exact'
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

/**
 * True when the canonical `host` (and `port`, if the entry restricts it) matches `entry`.
 *
 * @param {HostEntry} entry
 * @param {string} host
 * @param {number | undefined} port
 * @returns {boolean}
 */
export function hostEntryMatches(entry, host, port) {
  if (entry.port !== undefined && entry.port !== port) return false
  if (entry.kind === 'exact') return entry.host === host
  return !isIpLiteral(host) && host.endsWith(`.${entry.host}`)
}

/** @type {WeakMap<readonly string[], readonly HostEntry[]>} */
const parsedEntries = new WeakMap()

/**
 * @param {readonly string[]} allowHosts
 * @returns {readonly HostEntry[]}
 */
function entriesOf(allowHosts) {
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
 * @param {NetworkValue} network
 * @param {string} host a host name or IP literal (IPv6 with or without brackets)
 * @param {number} [port] the destination port, if known
 * @returns {boolean}
 */
export function isHostAllowed(network, host, port) {
  if (network === 'deny') return false
  if (network === 'allow') return true
  if (typeof network !== 'object' || network === null || !Array.isArray(network.allowHosts)) return false
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) return false
  const canonical = canonicalHost(host)
  if (canonical === undefined) return false
  return entriesOf(network.allowHosts).some((entry) => hostEntryMatches(entry, canonical, port))
}
