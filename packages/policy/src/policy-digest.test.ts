import { describe, expect, it } from 'vitest'
import { parsePolicy } from './parse-policy.js'
import { canonicalJson, policyDigest } from './policy-digest.js'

describe('canonicalJson', () => {
  it('sorts object keys at every depth, keeps array order and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined, b: 'x' } })).toBe(
      '{"a":{"b":"x","d":[2,1]},"b":1}',
    )
  })
})

describe('policyDigest', () => {
  it('is sha256: followed by 64 hex digits', () => {
    expect(policyDigest(parsePolicy({}))).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('digests the effective policy, so defaults written out or omitted give the same digest', () => {
    const explicit = parsePolicy({
      approvals: { mode: 'never' },
      secrets: 'none',
      filesystem: { writableRoots: [], mounts: [] },
      network: 'deny',
      commands: { allow: [] },
    })
    expect(policyDigest(explicit)).toBe(policyDigest(parsePolicy({})))
    expect(policyDigest({})).toBe(policyDigest(parsePolicy({})))
  })

  it('does not depend on key order', () => {
    const a = parsePolicy({ secrets: 'connector-scoped', commands: { allow: ['x'] } })
    const b = parsePolicy({ commands: { allow: ['x'] }, secrets: 'connector-scoped' })
    expect(policyDigest(a)).toBe(policyDigest(b))
  })

  it('changes when any field changes', () => {
    const base = policyDigest({})
    const variants = [
      { commands: { allow: ['*'] } },
      { network: 'allow' as const },
      { network: { allowHosts: [] } },
      { filesystem: { writableRoots: ['/tmp'] } },
      { secrets: 'connector-scoped' as const },
      { approvals: { mode: 'on-write' as const } },
    ]
    const digests = variants.map((variant) => policyDigest(variant))
    expect(new Set([base, ...digests]).size).toBe(variants.length + 1)
  })
})
