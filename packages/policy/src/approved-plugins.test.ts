import { describe, expect, it } from 'vitest'
import { assertPluginApproved, parseApprovedPluginManifest } from './approved-plugins.js'
import { PluginNotApprovedError, PolicyValidationError } from './errors.js'

const HASH_A = 'a'.repeat(64)
const HASH_B = 'b'.repeat(64)

const manifest = parseApprovedPluginManifest({
  schema: 'codebox/approved-plugins/v1',
  plugins: [
    { slug: 'wp-graphql', version: '1.28.0', sha256: HASH_A },
    { slug: 'wp-graphql', version: '1.27.0', sha256: HASH_B },
  ],
})

function denial(plugin: { slug: string; version: string; sha256: string }): PluginNotApprovedError {
  try {
    assertPluginApproved(manifest, plugin)
  } catch (error) {
    expect(error).toBeInstanceOf(PluginNotApprovedError)
    return error as PluginNotApprovedError
  }
  throw new Error('expected the plugin to be refused')
}

describe('assertPluginApproved', () => {
  it('accepts a listed slug, version and hash (hash case-insensitive)', () => {
    expect(() =>
      assertPluginApproved(manifest, { slug: 'wp-graphql', version: '1.28.0', sha256: HASH_A }),
    ).not.toThrow()
    expect(() =>
      assertPluginApproved(manifest, { slug: 'wp-graphql', version: '1.27.0', sha256: HASH_B.toUpperCase() }),
    ).not.toThrow()
  })

  it('refuses an unlisted plugin and says how to approve it', () => {
    const error = denial({ slug: 'akismet', version: '5.0', sha256: HASH_A })
    expect(error.code).toBe('PLUGIN_NOT_APPROVED')
    expect(error.reason).toBe('not-listed')
    expect(error.message).toContain('add { slug: "akismet"')
  })

  it('refuses an unapproved version and lists the approved ones', () => {
    const error = denial({ slug: 'wp-graphql', version: '2.0.0', sha256: HASH_A })
    expect(error.reason).toBe('version-not-approved')
    expect(error.message).toContain('"1.28.0", "1.27.0"')
  })

  it('refuses a package whose hash differs from the approved one', () => {
    const error = denial({ slug: 'wp-graphql', version: '1.28.0', sha256: HASH_B })
    expect(error.reason).toBe('hash-mismatch')
    expect(error.toJSON().details).toEqual({
      slug: 'wp-graphql',
      version: '1.28.0',
      sha256: HASH_B,
      reason: 'hash-mismatch',
    })
  })
})

describe('parseApprovedPluginManifest', () => {
  it('lists every issue of a malformed manifest with its path', () => {
    let caught: unknown
    try {
      parseApprovedPluginManifest({
        schema: 'codebox/approved-plugins/v2',
        plugins: [
          { slug: 'WP GraphQL', version: '', sha256: 'abc' },
          { slug: 'ok', version: '1', sha256: HASH_A },
          { slug: 'ok', version: '1', sha256: HASH_B, url: 'x' },
        ],
      })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(PolicyValidationError)
    expect((caught as PolicyValidationError).issues.map((issue) => issue.path)).toEqual([
      '$.schema',
      '$.plugins[0].slug',
      '$.plugins[0].version',
      '$.plugins[0].sha256',
      '$.plugins[2].url',
      '$.plugins[2]',
    ])
  })

  it('rejects the same slug and version listed twice', () => {
    expect(() =>
      parseApprovedPluginManifest({
        schema: 'codebox/approved-plugins/v1',
        plugins: [
          { slug: 'ok', version: '1', sha256: HASH_A },
          { slug: 'ok', version: '1', sha256: HASH_B },
        ],
      }),
    ).toThrow(/\$\.plugins\[1\]: ok@1 is listed twice/)
  })

  it('approves by content an entry without a version, for a plugin with or without one', () => {
    const manifest = parseApprovedPluginManifest({
      schema: 'codebox/approved-plugins/v1',
      plugins: [{ slug: 'dev', sha256: HASH_A }],
    })
    expect(() => assertPluginApproved(manifest, { slug: 'dev', sha256: HASH_A })).not.toThrow()
    expect(() =>
      assertPluginApproved(manifest, { slug: 'dev', version: '2.0.0', sha256: HASH_A }),
    ).not.toThrow()
    expect(() => assertPluginApproved(manifest, { slug: 'dev', sha256: HASH_B })).toThrow(
      expect.objectContaining({ code: 'PLUGIN_NOT_APPROVED', reason: 'hash-mismatch' }),
    )
  })

  it('does not let an entry naming a version approve a plugin without one, and says how to approve it', () => {
    const manifest = parseApprovedPluginManifest({
      schema: 'codebox/approved-plugins/v1',
      plugins: [{ slug: 'dev', version: '1.0.0', sha256: HASH_A }],
    })
    let caught: unknown
    try {
      assertPluginApproved(manifest, { slug: 'dev', sha256: HASH_A })
    } catch (error) {
      caught = error
    }
    expect(caught).toMatchObject({
      code: 'PLUGIN_NOT_APPROVED',
      reason: 'version-not-approved',
      version: null,
    })
    expect((caught as Error).message).toContain(`{ slug: "dev", sha256: "${HASH_A}" }`)
  })
})
