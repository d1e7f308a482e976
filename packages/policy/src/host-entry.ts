// Internal: grammar, canonical form and matching of `network.allowHosts` entries. The implementation lives in
// network-match.ts, which has no dependencies so the PHP worker threads can import it (`@codebox/policy/network-match`).

export type { HostEntry } from './network-match.js'
export { canonicalHost, hostEntryMatches, parseHostEntry } from './network-match.js'
