import { createHash } from 'node:crypto'
import { parsePolicy } from './parse-policy.js'
import type { RuntimePolicy, RuntimePolicyInput } from './policy-schema.js'

/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members omitted. Array order is kept
 * because it is part of what the caller wrote.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`
}

/**
 * Digest of the effective policy: `sha256:<hex>` of its canonical JSON (sorted keys). The policy is normalised
 * first, so `policyDigest({})` equals `policyDigest(parsePolicy({}))`.
 *
 * @param policy - an effective policy, or a policy input to normalise.
 * @returns `sha256:` followed by 64 lower-case hex digits.
 * @throws {@link PolicyValidationError} when `policy` is not a valid policy.
 */
export function policyDigest(policy: RuntimePolicy | RuntimePolicyInput): string {
  const effective = parsePolicy(policy)
  return `sha256:${createHash('sha256').update(canonicalJson(effective)).digest('hex')}`
}
