import { resolve } from 'node:path'
import { isCodeboxError } from '@codebox/runtime-core'
import { describe, expect, it } from 'vitest'
import { defineWordPressFixture } from './define-wordpress-fixture.js'
import { WordPressFixtureError } from './wordpress-fixture-error.js'
import { resolveFixtureOptions } from './wordpress-fixture-options.js'

/** The issues a bad options object is rejected with (the error is checked once for its type and code). */
function issuesOf(options: unknown): { path: string; message: string }[] {
  try {
    resolveFixtureOptions(options)
  } catch (error) {
    expect(error).toBeInstanceOf(WordPressFixtureError)
    expect(isCodeboxError(error) && error.code).toBe('VITEST_FIXTURE_OPTIONS_INVALID')
    return [...(error as WordPressFixtureError).issues]
  }
  throw new Error('the options were accepted')
}

describe('defineWordPressFixture options', () => {
  it('names a misplaced backend field and says where it belongs', () => {
    expect(issuesOf({ backend: { plugins: ['wp-graphql'] } })).toEqual([
      {
        path: '$.backend.plugins',
        message:
          'is not an option: give plugins at the top level: defineWordPressFixture({ plugins: [...] })',
      },
    ])
  })

  it('names an unknown top-level option and lists the real ones', () => {
    expect(issuesOf({ plugin: 'wp-graphql' })).toEqual([
      {
        path: '$.plugin',
        message:
          'is not an option: remove it; the options are backend, plugins, mounts, policy, setup, connectors, env, pool, report, leakCheck',
      },
    ])
  })

  it('passes the backend schema through, so a bad PHP version is named with the versions that work', () => {
    expect(issuesOf({ backend: { php: '7.4' } })).toEqual([
      { path: '$.backend.php', message: 'must be one of 8.1, 8.2, 8.3, 8.4' },
    ])
  })

  it('names each bad field at once: a mount outside WordPress, a setup that is not a function, a negative pool', () => {
    expect(
      issuesOf({ mounts: [{ source: './x', target: '/tmp/x' }], setup: 'activate', pool: -1 }).map(
        (issue) => issue.path,
      ),
    ).toEqual(['$.mounts[0].target', '$.setup', '$.pool'])
  })

  it('rejects what is not an options object', () => {
    expect(issuesOf('wp-graphql')).toEqual([
      { path: '$', message: 'must be an options object, e.g. defineWordPressFixture({ plugins: [...] })' },
    ])
  })

  it('fails when the test file is collected, with the field in the message', () => {
    expect(() => defineWordPressFixture({ pool: 1.5 })).toThrow(
      'Invalid defineWordPressFixture() options: $.pool must be a whole number of workers',
    )
  })

  it('defaults to a pool of one, a policy allowing the wordpress commands and the mounts, and the leak check', () => {
    const resolved = resolveFixtureOptions({
      mounts: [{ source: 'fixtures/data', target: '/wordpress/wp-content/uploads/data', mode: 'readwrite' }],
    })
    const source = resolve('fixtures/data')
    expect(resolved.pool).toBe(1)
    expect(resolved.leakCheck).toBe(true)
    expect(resolved.mounts).toEqual([
      { source, target: '/wordpress/wp-content/uploads/data', mode: 'readwrite' },
    ])
    expect(resolved.policy).toEqual({
      commands: { allow: ['wordpress.*'] },
      filesystem: { mounts: [{ path: source, modes: ['readonly', 'readwrite'] }] },
    })
    expect(resolved.report).toEqual({ commands: 10, logLines: 50, console: true })
  })

  it('keeps a given policy as it is, and lets connectors reach the runtime by default', () => {
    const policy = { commands: { allow: ['wordpress.run-php'] } }
    expect(resolveFixtureOptions({ policy }).policy).toBe(policy)
    expect(
      resolveFixtureOptions({ connectors: [{ name: 'crm', secrets: ['CRM_TOKEN'] }] }).policy,
    ).toMatchObject({
      secrets: 'connector-scoped',
    })
  })
})
