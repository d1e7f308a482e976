// Internal: grammar, canonical form and matching of `network.allowHosts` entries. The implementation is plain
// JavaScript in network-match.js so worker threads can import it without a build (`@codebox/policy/network-match`).

export type { HostEntry } from './network-match.js'
export { canonicalHost, hostEntryMatches, parseHostEntry } from './network-match.js'
