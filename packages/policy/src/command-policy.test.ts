import { describe, expect, it } from 'vitest'
import { assertRuntimeCommandAllowed, isRuntimeCommandAllowed } from './command-policy.js'
import { RuntimeCommandPolicyViolationError } from './errors.js'
import { parsePolicy } from './parse-policy.js'
import { policyDigest } from './policy-digest.js'
import { permissivePolicy } from './policy-schema.js'

describe('isRuntimeCommandAllowed', () => {
  it('denies every command under the default policy', () => {
    const policy = parsePolicy({})
    expect(isRuntimeCommandAllowed(policy, 'wordpress.run-php')).toBe(false)
  })

  it('allows exact names only for that exact name', () => {
    const policy = parsePolicy({ commands: { allow: ['wordpress.run-php'] } })
    expect(isRuntimeCommandAllowed(policy, 'wordpress.run-php')).toBe(true)
    expect(isRuntimeCommandAllowed(policy, 'wordpress.run-php2')).toBe(false)
    expect(isRuntimeCommandAllowed(policy, 'wordpress.run')).toBe(false)
    expect(isRuntimeCommandAllowed(policy, 'WordPress.run-php')).toBe(false)
  })

  it('allows prefix wildcards below the prefix at any depth, but not the prefix itself or look-alikes', () => {
    const policy = parsePolicy({ commands: { allow: ['wordpress.*'] } })
    expect(isRuntimeCommandAllowed(policy, 'wordpress.graphql')).toBe(true)
    expect(isRuntimeCommandAllowed(policy, 'wordpress.db.export')).toBe(true)
    expect(isRuntimeCommandAllowed(policy, 'wordpress')).toBe(false)
    expect(isRuntimeCommandAllowed(policy, 'wordpressx.graphql')).toBe(false)
    expect(isRuntimeCommandAllowed(policy, 'shell.exec')).toBe(false)
  })

  it('allows every well-formed command with "*" and never a malformed one', () => {
    const policy = permissivePolicy()
    expect(isRuntimeCommandAllowed(policy, 'shell.exec')).toBe(true)
    expect(isRuntimeCommandAllowed(policy, '')).toBe(false)
    expect(isRuntimeCommandAllowed(policy, 'wordpress.*')).toBe(false)
    expect(isRuntimeCommandAllowed(policy, 'a b')).toBe(false)
  })
})

describe('assertRuntimeCommandAllowed', () => {
  it('returns quietly for an allowed command', () => {
    expect(() => assertRuntimeCommandAllowed(permissivePolicy(), 'wordpress.run-php')).not.toThrow()
  })

  it('throws POLICY_COMMAND_DENIED with the command, the policy digest and a fix', () => {
    const policy = parsePolicy({ commands: { allow: ['wordpress.graphql'] } })
    let caught: unknown
    try {
      assertRuntimeCommandAllowed(policy, 'wordpress.run-php')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(RuntimeCommandPolicyViolationError)
    const error = caught as RuntimeCommandPolicyViolationError
    expect(error.code).toBe('POLICY_COMMAND_DENIED')
    expect(error.command).toBe('wordpress.run-php')
    expect(error.policyDigest).toBe(policyDigest(policy))
    expect(error.message).toContain('"wordpress.*"')
    expect(error.toJSON()).toEqual({
      name: 'RuntimeCommandPolicyViolationError',
      code: 'POLICY_COMMAND_DENIED',
      message: error.message,
      details: {
        command: 'wordpress.run-php',
        policyDigest: policyDigest(policy),
        allow: ['wordpress.graphql'],
      },
    })
    expect(JSON.parse(JSON.stringify(error))).toEqual(error.toJSON())
  })

  it('says nothing is allowed when the allow-list is empty', () => {
    expect(() => assertRuntimeCommandAllowed(parsePolicy({}), 'x')).toThrow(/permits nothing \(the default\)/)
  })
})
