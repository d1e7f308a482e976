import { describe, expect, it } from 'vitest'
import { approvalRequired, isApproved } from './approvals.js'
import { parsePolicy } from './parse-policy.js'

describe('approvalRequired', () => {
  it('never requires approval under the default policy', () => {
    const policy = parsePolicy({})
    expect(approvalRequired(policy, { command: 'wordpress.run-php', writes: true })).toBe(false)
  })

  it('requires approval for writing commands only under on-write', () => {
    const policy = parsePolicy({ approvals: { mode: 'on-write' } })
    expect(approvalRequired(policy, { command: 'wordpress.run-php', writes: true })).toBe(true)
    expect(approvalRequired(policy, { command: 'wordpress.graphql', writes: false })).toBe(false)
  })

  it('requires approval for every command under on-command without a list', () => {
    const policy = parsePolicy({ approvals: { mode: 'on-command' } })
    expect(approvalRequired(policy, { command: 'wordpress.graphql', writes: false })).toBe(true)
  })

  it('requires approval only for listed commands, including prefix wildcards, under on-command with a list', () => {
    const policy = parsePolicy({
      approvals: { mode: 'on-command', commands: ['wordpress.run-php', 'shell.*'] },
    })
    expect(approvalRequired(policy, { command: 'wordpress.run-php', writes: false })).toBe(true)
    expect(approvalRequired(policy, { command: 'shell.exec', writes: false })).toBe(true)
    expect(approvalRequired(policy, { command: 'wordpress.graphql', writes: true })).toBe(false)
    expect(approvalRequired(policy, { command: 'shell', writes: false })).toBe(false)
  })
})

describe('isApproved', () => {
  it('approves only true and { approved: true }', () => {
    expect(isApproved(true)).toBe(true)
    expect(isApproved({ approved: true, reason: 'ok' })).toBe(true)
    for (const answer of [false, { approved: false }, { approved: 'yes' }, 'yes', 1, null, undefined, {}]) {
      expect(isApproved(answer)).toBe(false)
    }
  })
})
