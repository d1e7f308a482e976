import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TenantManifestError } from '../host-error.js'
import { parseTenantManifest, parseTenantManifestText } from './parse-tenant-manifest.js'

// Property corpus of issue 17 for the tenant manifest: whatever the input, parsing either returns a manifest or
// throws a TenantManifestError whose issues each name a JSON path; never another exception.

const VALID = {
  schema: 'codebox/tenant-manifest/v1',
  approvedPlugins: {
    schema: 'codebox/approved-plugins/v1',
    plugins: [{ slug: 'wp-graphql', version: '2.5.3', sha256: 'b'.repeat(64) }],
  },
  tenants: [
    {
      id: 'acme',
      domains: ['acme.test'],
      plugins: [{ slug: 'wp-graphql', version: '2.5.3' }],
      graphql: { maxDepth: 8 },
      network: { allowHosts: ['api.example.com:443'] },
      connectors: [{ name: 'crm', secrets: ['ACME_CRM_TOKEN'] }],
      limits: { maxConcurrent: 2, requestTimeoutMs: 10_000, phpMemory: '128M' },
      media: {
        tokenEnv: 'ACME_MEDIA_TOKEN',
        maxBytes: 1024,
        store: {
          kind: 's3',
          bucket: 'media',
          accessKeyIdEnv: 'ACME_S3_ID',
          secretAccessKeyEnv: 'ACME_S3_KEY',
          publicBaseUrl: 'https://cdn.test/',
        },
      },
      snapshots: { keep: 3 },
    },
    {
      id: 'globex',
      domains: ['globex.test'],
      media: { tokenEnv: 'GLOBEX_TOKEN', store: { kind: 'filesystem', publicBaseUrl: 'http://127.0.0.1/m' } },
    },
  ],
}

/** Parses and checks the outcome: a manifest, or a typed error whose every issue has a `$`-rooted path. */
function outcome(run: () => unknown): 'valid' | 'invalid' {
  try {
    run()
    return 'valid'
  } catch (error) {
    if (!(error instanceof TenantManifestError)) throw error
    expect(['TENANT_MANIFEST_INVALID', 'TENANT_MANIFEST_JSON_INVALID']).toContain(error.code)
    if (error.code === 'TENANT_MANIFEST_INVALID') {
      expect(error.issues.length).toBeGreaterThan(0)
      for (const issue of error.issues) {
        expect(issue.path.startsWith('$')).toBe(true)
        expect(issue.message.length).toBeGreaterThan(0)
      }
    }
    expect(() => JSON.stringify(error)).not.toThrow()
    return 'invalid'
  }
}

type Json = unknown

/** A path into the valid manifest (object keys and array indexes), chosen by fast-check. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix]
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) out.push(...pathsOf(item, [...prefix, index]))
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) out.push(...pathsOf(item, [...prefix, key]))
  }
  return out
}

const PATHS = pathsOf(VALID)

type Mutation =
  | { kind: 'replace'; value: Json }
  | { kind: 'delete' }
  | { kind: 'add'; key: string; value: Json }

function mutate(document: Json, path: (string | number)[], mutation: Mutation): Json {
  const copy = structuredClone(document) as Record<string | number, Json>
  if (path.length === 0) return mutation.kind === 'replace' ? mutation.value : copy
  let parent: Record<string | number, Json> = copy
  for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, Json>
  const last = path[path.length - 1] as string | number
  if (mutation.kind === 'replace') parent[last] = mutation.value
  else if (mutation.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1)
    else delete parent[last]
  } else {
    const target = parent[last]
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
      ;(target as Record<string, Json>)[mutation.key] = mutation.value
    } else parent[last] = mutation.value
  }
  return copy
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), value: fc.jsonValue() }),
  fc.record({ kind: fc.constant('replace' as const), value: fc.anything() }),
  fc.record({ kind: fc.constant('delete' as const) }),
  fc.record({ kind: fc.constant('add' as const), key: fc.string(), value: fc.jsonValue() }),
)

describe('tenant manifest parser (properties)', () => {
  it('the unmutated corpus document is valid', () => {
    expect(outcome(() => parseTenantManifest(VALID))).toBe('valid')
  })

  it('any value at all gives a manifest or a TenantManifestError, never another exception', () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true }),
        (value) => {
          outcome(() => parseTenantManifest(value))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('a valid manifest with one to three mutations anywhere gives only typed outcomes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...PATHS), mutation), { minLength: 1, maxLength: 3 }),
        (steps) => {
          let document: Json = VALID
          for (const [path, step] of steps) {
            try {
              document = mutate(document, path, step)
            } catch {
              // An earlier mutation removed the path's parent: this step does nothing.
            }
          }
          outcome(() => parseTenantManifest(document))
        },
      ),
      { numRuns: 400 },
    )
  })

  it('any text, or the valid text cut or spliced, gives only typed outcomes', () => {
    const text = JSON.stringify(VALID)
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc
            .tuple(fc.nat(text.length), fc.nat(text.length), fc.string())
            .map(
              ([a, b, insert]) => `${text.slice(0, Math.min(a, b))}${insert}${text.slice(Math.max(a, b))}`,
            ),
        ),
        (input) => {
          outcome(() => parseTenantManifestText(input))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('an error never quotes the value of a field it refuses as a token', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 12 }).filter((s) => /^[A-Za-z0-9]+$/.test(s) && /[a-z]/.test(s)),
        (token) => {
          const document = mutate(VALID, ['tenants', 0, 'media'], { kind: 'add', key: 'token', value: token })
          try {
            parseTenantManifest(document)
          } catch (error) {
            expect(JSON.stringify(error)).not.toContain(token)
            expect((error as Error).message).not.toContain(token)
            return
          }
          throw new Error('a manifest holding a token value must be refused')
        },
      ),
      { numRuns: 50 },
    )
  })
})
