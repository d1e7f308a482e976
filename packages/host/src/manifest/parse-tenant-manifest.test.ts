import { describe, expect, it } from 'vitest'
import { TenantManifestError } from '../host-error.js'
import {
  parseTenantManifest,
  parseTenantManifestText,
  readTenantManifest,
  tenantManifestJsonSchema,
} from './parse-tenant-manifest.js'

const SHA = 'a'.repeat(64)

function manifest(overrides: Record<string, unknown> = {}) {
  return {
    schema: 'codebox/tenant-manifest/v1',
    approvedPlugins: {
      schema: 'codebox/approved-plugins/v1',
      plugins: [{ slug: 'wp-graphql', version: '2.5.3', sha256: SHA }],
    },
    tenants: [
      { id: 'acme', domains: ['acme.test'], plugins: [{ slug: 'wp-graphql', version: '2.5.3' }] },
      { id: 'globex', domains: ['globex.test', 'www.globex.test'] },
    ],
    ...overrides,
  }
}

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseTenantManifest(input)
  } catch (error) {
    expect(error).toBeInstanceOf(TenantManifestError)
    expect((error as TenantManifestError).code).toBe('TENANT_MANIFEST_INVALID')
    return [...(error as TenantManifestError).issues]
  }
  throw new Error('expected the manifest to be refused')
}

describe('parseTenantManifest', () => {
  it('applies the documented defaults to a minimal tenant', () => {
    const parsed = parseTenantManifest(manifest())
    const globex = parsed.tenants[1]!
    expect(globex.wordpress).toBe('6.5')
    expect(globex.php).toBe('8.3')
    expect(globex.network).toBe('deny')
    expect(globex.limits).toEqual({
      maxConcurrent: 2,
      maxQueued: 32,
      requestTimeoutMs: 30_000,
      maxBodyBytes: 1024 * 1024,
      phpMemory: '256M',
    })
    expect(globex.graphql.maxDepth).toBe(10)
    expect(globex.snapshots.keep).toBe(5)
    expect(globex.media).toBeUndefined()
  })

  it('names the exact path of a bad field and suggests the right key for a typo', () => {
    const input = manifest({
      tenants: [{ id: 'acme', domains: ['acme.test'], limits: { maxConcurent: 3 } }],
    })
    expect(issuesOf(input)).toEqual([
      {
        path: '$.tenants[0].limits.maxConcurent',
        message: expect.stringContaining('did you mean "maxConcurrent"?'),
      },
    ])
  })

  it('refuses upper-case domains, ports and schemes with the fix', () => {
    const issues = issuesOf(
      manifest({ tenants: [{ id: 'acme', domains: ['Acme.test', 'acme.test:8080', 'https://x.test'] }] }),
    )
    expect(issues.map((issue) => issue.path)).toEqual([
      '$.tenants[0].domains[0]',
      '$.tenants[0].domains[1]',
      '$.tenants[0].domains[2]',
    ])
    expect(issues[0]!.message).toContain('"acme.test"')
    expect(issues[1]!.message).toContain('without scheme, port or path')
  })

  it('refuses a domain routed to two tenants and a duplicate tenant id', () => {
    const issues = issuesOf(
      manifest({
        tenants: [
          { id: 'acme', domains: ['shared.test'] },
          { id: 'acme', domains: ['shared.test'] },
        ],
      }),
    )
    expect(issues).toEqual([
      { path: '$.tenants[1].id', message: expect.stringContaining('already used by $.tenants[0]') },
      {
        path: '$.tenants[1].domains[0]',
        message: expect.stringContaining('already routes to tenant "acme"'),
      },
    ])
  })

  it('refuses a plugin that is not approved, naming where to approve it', () => {
    const issues = issuesOf(
      manifest({
        tenants: [{ id: 'acme', domains: ['a.test'], plugins: [{ slug: 'wp-graphql', version: '2.0.0' }] }],
      }),
    )
    expect(issues).toEqual([
      { path: '$.tenants[0].plugins[0]', message: expect.stringContaining('not in $.approvedPlugins') },
    ])
  })

  it('refuses two tenants reading the same environment variable (separate secrets)', () => {
    const store = { kind: 'filesystem', publicBaseUrl: 'https://media.test/' }
    const issues = issuesOf(
      manifest({
        tenants: [
          { id: 'acme', domains: ['a.test'], media: { tokenEnv: 'MEDIA_TOKEN', store } },
          { id: 'globex', domains: ['g.test'], connectors: [{ name: 'crm', secrets: ['MEDIA_TOKEN'] }] },
        ],
      }),
    )
    expect(issues).toEqual([
      {
        path: '$.tenants[1].connectors[0].secrets[0]',
        message: expect.stringContaining('already read by tenant "acme"'),
      },
    ])
  })

  it('refuses a connector secret named like a WordPress constant', () => {
    const issues = issuesOf(
      manifest({
        tenants: [
          { id: 'acme', domains: ['a.test'], connectors: [{ name: 'x', secrets: ['DISALLOW_FILE_MODS'] }] },
        ],
      }),
    )
    expect(issues[0]?.path).toBe('$.tenants[0].connectors[0].secrets[0]')
  })

  it('accepts only a reference to the media token, never a token value', () => {
    const store = { kind: 'filesystem', publicBaseUrl: 'https://media.test/' }
    const withToken = manifest({
      tenants: [{ id: 'acme', domains: ['a.test'], media: { token: 's3cr3t-value', store } }],
    })
    const issues = issuesOf(withToken)
    expect(issues.map((issue) => issue.path)).toEqual([
      '$.tenants[0].media.tokenEnv',
      '$.tenants[0].media.token',
    ])
    expect(JSON.stringify(issues)).not.toContain('s3cr3t-value')
    expect(
      issuesOf(
        manifest({ tenants: [{ id: 'acme', domains: ['a.test'], media: { tokenEnv: 'abc-1', store } }] }),
      )[0]?.path,
    ).toBe('$.tenants[0].media.tokenEnv')
  })
})

describe('parseTenantManifestText and readTenantManifest', () => {
  it('reports text that is not JSON with its own code', () => {
    expect(() => parseTenantManifestText('{ "schema": ', 'tenants.json')).toThrow(
      expect.objectContaining({ code: 'TENANT_MANIFEST_JSON_INVALID' }),
    )
  })

  it('reports a missing file as unreadable, naming it', async () => {
    await expect(readTenantManifest('/nonexistent/tenants.json')).rejects.toMatchObject({
      code: 'TENANT_MANIFEST_UNREADABLE',
      details: { file: '/nonexistent/tenants.json' },
    })
  })
})

describe('tenantManifestJsonSchema', () => {
  it('describes the document with its schema id and tenant fields', () => {
    const schema = tenantManifestJsonSchema() as {
      properties: { schema: { const: string }; tenants: { items: { properties: Record<string, unknown> } } }
    }
    expect(schema.properties.schema.const).toBe('codebox/tenant-manifest/v1')
    expect(Object.keys(schema.properties.tenants.items.properties)).toEqual(
      expect.arrayContaining(['id', 'domains', 'plugins', 'graphql', 'network', 'limits', 'media']),
    )
  })
})
