import { describe, expect, it } from 'vitest'
import { PolicyError, PolicyValidationError } from './errors.js'
import { parsePolicy } from './parse-policy.js'
import { permissivePolicy, RuntimePolicySchema } from './policy-schema.js'

function issuesOf(input: unknown): PolicyValidationError['issues'] {
  try {
    parsePolicy(input)
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyValidationError)
    return (error as PolicyValidationError).issues
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`)
}

/** Each malformed policy and the exact, complete list of JSON paths its issues must have, in order. */
const corpus: { name: string; input: unknown; paths: string[]; mentions?: string[] }[] = [
  { name: 'null policy', input: null, paths: ['$'] },
  { name: 'array policy', input: [], paths: ['$'] },
  { name: 'string policy', input: 'deny', paths: ['$'] },
  {
    name: 'unknown top-level key',
    input: { comands: { allow: [] } },
    paths: ['$.comands'],
    mentions: ['"commands"'],
  },
  { name: 'commands as an array', input: { commands: ['wordpress.run-php'] }, paths: ['$.commands'] },
  {
    name: 'commands.allow as a string',
    input: { commands: { allow: 'wordpress.*' } },
    paths: ['$.commands.allow'],
  },
  {
    name: 'malformed command patterns',
    input: { commands: { allow: ['wordpress.*', '*.php', 'wordpress.', '', 'a b', 42, 'wp*'] } },
    paths: [
      '$.commands.allow[1]',
      '$.commands.allow[2]',
      '$.commands.allow[3]',
      '$.commands.allow[4]',
      '$.commands.allow[5]',
      '$.commands.allow[6]',
    ],
  },
  { name: 'unknown network string', input: { network: 'none' }, paths: ['$.network'], mentions: ['"deny"'] },
  { name: 'network as a bare array', input: { network: ['example.com'] }, paths: ['$.network'] },
  {
    name: 'misspelt allowHosts',
    input: { network: { allowhosts: ['example.com'] } },
    paths: ['$.network.allowHosts', '$.network.allowhosts'],
    mentions: ['did you mean "allowHosts"', 'required'],
  },
  {
    name: 'bad host entries',
    input: {
      network: {
        allowHosts: [
          'example.com',
          '',
          'https://api.example.com',
          'api.example.com/v1',
          '*',
          'a.*.example.com',
          '::1',
          'example.com:0',
          'example.com:70000',
          'user@example.com',
          '*.127.0.0.1',
          null,
          '[::1]:8080',
          '*.example.com:443',
        ],
      },
    },
    paths: [
      '$.network.allowHosts[1]',
      '$.network.allowHosts[2]',
      '$.network.allowHosts[3]',
      '$.network.allowHosts[4]',
      '$.network.allowHosts[5]',
      '$.network.allowHosts[6]',
      '$.network.allowHosts[7]',
      '$.network.allowHosts[8]',
      '$.network.allowHosts[9]',
      '$.network.allowHosts[10]',
      '$.network.allowHosts[11]',
    ],
  },
  {
    name: 'filesystem with relative and dotted paths',
    input: {
      filesystem: {
        mounts: [
          { path: 'plugins/mine', modes: ['readonly'] },
          { path: '/srv/../etc', modes: ['readonly'] },
          { path: '/srv/ok', modes: ['readonly'] },
        ],
        writableRoots: ['wp-content', '/wordpress/../etc'],
      },
    },
    paths: [
      '$.filesystem.mounts[0].path',
      '$.filesystem.mounts[1].path',
      '$.filesystem.writableRoots[0]',
      '$.filesystem.writableRoots[1]',
    ],
  },
  {
    name: 'mount rule with bad modes and an extra key',
    input: {
      filesystem: {
        mounts: [
          { path: '/srv/a', modes: [] },
          { path: '/srv/b', modes: ['readonly', 'readonly'] },
          { path: '/srv/c', modes: ['rw'], readonly: true },
          { path: '/srv/d' },
        ],
      },
    },
    paths: [
      '$.filesystem.mounts[0].modes',
      '$.filesystem.mounts[1].modes',
      '$.filesystem.mounts[2].modes[0]',
      '$.filesystem.mounts[2].readonly',
      '$.filesystem.mounts[3].modes',
    ],
  },
  {
    name: 'unknown secrets mode',
    input: { secrets: 'all' },
    paths: ['$.secrets'],
    mentions: ['connector-scoped'],
  },
  { name: 'approvals as a bare string', input: { approvals: 'never' }, paths: ['$.approvals'] },
  {
    name: 'approvals with an unknown mode, empty commands and an extra key',
    input: { approvals: { mode: 'always', commands: [], timeout: 5 } },
    paths: ['$.approvals.mode', '$.approvals.commands', '$.approvals.timeout'],
  },
  {
    name: 'approvals.commands with a mode that ignores it',
    input: { approvals: { mode: 'on-write', commands: ['wordpress.run-php'] } },
    paths: ['$.approvals.commands'],
    mentions: ['on-command'],
  },
  {
    name: 'issues in every field at once',
    input: {
      commands: { allow: ['ok', '*.bad'], deny: [] },
      network: { allowHosts: ['ok.example', 'http://bad'] },
      filesystem: { mounts: [{ path: 'rel', modes: ['readonly'] }], writableRoots: 'x' },
      secrets: true,
      approvals: { mode: 'never', commands: ['x'] },
      extra: 1,
    },
    paths: [
      '$.commands.allow[1]',
      '$.commands.deny',
      '$.network.allowHosts[1]',
      '$.filesystem.mounts[0].path',
      '$.filesystem.writableRoots',
      '$.secrets',
      '$.approvals.commands',
      '$.extra',
    ],
  },
  {
    name: 'keys that are not identifiers',
    input: { network: { allowHosts: [], 'allow-hosts': [] } },
    paths: ['$.network["allow-hosts"]'],
  },
]

describe('parsePolicy', () => {
  it('returns the deny-everything policy for {} and undefined', () => {
    const expected = {
      commands: { allow: [] },
      network: 'deny',
      filesystem: { mounts: [], writableRoots: [] },
      secrets: 'none',
      approvals: { mode: 'never' },
    }
    expect(parsePolicy({})).toEqual(expected)
    expect(parsePolicy(undefined)).toEqual(expected)
  })

  it('does not share default arrays between parsed policies', () => {
    const first = parsePolicy({})
    first.commands.allow.push('wordpress.*')
    expect(parsePolicy({}).commands.allow).toEqual([])
  })

  it('keeps every valid field as written', () => {
    const input = {
      commands: { allow: ['wordpress.run-php', 'wordpress.*', '*'] },
      network: { allowHosts: ['api.example.com', '*.example.org:443', '127.0.0.1:8080', '[::1]:80'] },
      filesystem: {
        mounts: [
          { path: '/home/me/plugins', modes: ['readonly', 'readwrite'] },
          { path: 'C:\\work\\plugins', modes: ['readonly'] },
        ],
        writableRoots: ['/wordpress/wp-content/uploads'],
      },
      secrets: 'connector-scoped',
      approvals: { mode: 'on-command', commands: ['wordpress.run-php'] },
    }
    expect(parsePolicy(input)).toEqual(input)
  })

  it('accepts network "allow" and "deny"', () => {
    expect(parsePolicy({ network: 'allow' }).network).toBe('allow')
    expect(parsePolicy({ network: 'deny' }).network).toBe('deny')
  })

  it('permissivePolicy allows every command and keeps the other defaults', () => {
    expect(permissivePolicy()).toEqual({ ...parsePolicy({}), commands: { allow: ['*'] } })
  })

  it('has a corpus of at least 15 malformed policies', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(15)
  })

  for (const entry of corpus) {
    it(`rejects ${entry.name} with every issue at its exact JSON path`, () => {
      const issues = issuesOf(entry.input)
      expect(issues.map((issue) => issue.path)).toEqual(entry.paths)
      for (const issue of issues) expect(issue.message.length).toBeGreaterThan(10)
      const text = issues.map((issue) => issue.message).join('\n')
      for (const mention of entry.mentions ?? []) expect(text).toContain(mention)
    })
  }

  it('names the fix in host entry messages', () => {
    const issues = issuesOf({ network: { allowHosts: ['https://api.example.com/v1', '*', '::1'] } })
    expect(issues.map((issue) => issue.message)).toEqual([
      expect.stringContaining('write only the host (and optional port), e.g. "api.example.com"'),
      expect.stringContaining('use network: "allow"'),
      expect.stringContaining('wrap IPv6 addresses in brackets'),
    ])
  })

  it('throws a PolicyValidationError whose message, details and toJSON list every issue', () => {
    let caught: unknown
    try {
      parsePolicy({ secrets: 1, network: 'x' })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(PolicyError)
    const error = caught as PolicyValidationError
    expect(error.code).toBe('POLICY_INVALID')
    expect(error.subject).toBe('policy')
    expect(error.message).toContain('$.network')
    expect(error.message).toContain('$.secrets')
    expect(error.toJSON()).toEqual({
      name: 'PolicyValidationError',
      code: 'POLICY_INVALID',
      message: error.message,
      details: { subject: 'policy', issues: error.issues.map((issue) => ({ ...issue })) },
    })
  })

  it('agrees with RuntimePolicySchema on what is valid', () => {
    expect(RuntimePolicySchema.safeParse({ network: { allowHosts: ['*'] } }).success).toBe(false)
    expect(RuntimePolicySchema.safeParse({ network: { allowHosts: ['*.a.example'] } }).success).toBe(true)
  })
})
