import { describe, expect, it } from 'vitest'
import {
  ConnectorCredentialEnvelopeSchema,
  ConnectorCredentialFailureSchema,
} from './connector-credential-schemas.js'
import {
  type ResolveConnectorCredentialsOptions,
  resolveConnectorCredentials,
} from './connector-credentials.js'
import { ConnectorCredentialError, PolicyValidationError } from './errors.js'
import { parsePolicy } from './parse-policy.js'

const scoped = parsePolicy({ secrets: 'connector-scoped' })
const none = parsePolicy({})

async function failure(
  connectors: { name: string; secrets: string[] }[],
  options: ResolveConnectorCredentialsOptions,
): Promise<ConnectorCredentialError> {
  try {
    await resolveConnectorCredentials(connectors, options)
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorCredentialError)
    return error as ConnectorCredentialError
  }
  throw new Error('expected credential resolution to fail')
}

describe('resolveConnectorCredentials', () => {
  it('resolves declared secrets from the given environment into available envelopes', async () => {
    const { envelopes, secrets } = await resolveConnectorCredentials(
      [
        { name: 'github', secrets: ['GITHUB_TOKEN'] },
        { name: 'crm', secrets: ['CRM_KEY', 'CRM_SECRET'] },
      ],
      { policy: scoped, env: { GITHUB_TOKEN: 'gh-value', CRM_KEY: 'k', CRM_SECRET: 's', OTHER: 'o' } },
    )
    expect(envelopes).toEqual([
      {
        schema: 'wp-codebox/connector-credentials/v1',
        connector: 'github',
        scope: 'connector',
        status: 'available',
        secrets: [{ name: 'GITHUB_TOKEN', status: 'available', scope: 'connector', source: 'env' }],
      },
      {
        schema: 'wp-codebox/connector-credentials/v1',
        connector: 'crm',
        scope: 'connector',
        status: 'available',
        secrets: [
          { name: 'CRM_KEY', status: 'available', scope: 'connector', source: 'env' },
          { name: 'CRM_SECRET', status: 'available', scope: 'connector', source: 'env' },
        ],
      },
    ])
    for (const envelope of envelopes)
      expect(ConnectorCredentialEnvelopeSchema.parse(envelope)).toEqual(envelope)
    expect(secrets.map((s) => [s.connector, s.name, s.value])).toEqual([
      ['github', 'GITHUB_TOKEN', 'gh-value'],
      ['crm', 'CRM_KEY', 'k'],
      ['crm', 'CRM_SECRET', 's'],
    ])
  })

  it('reads process.env when no env or provider is given', async () => {
    const name = 'CODEBOX_POLICY_TEST_SECRET'
    process.env[name] = 'from-process-env'
    try {
      const { secrets } = await resolveConnectorCredentials([{ name: 'demo', secrets: [name] }], {
        policy: scoped,
      })
      expect(secrets[0]?.value).toBe('from-process-env')
    } finally {
      delete process.env[name]
    }
  })

  it('uses an injected provider instead of the environment, sync or async', async () => {
    const seen: string[] = []
    const { envelopes, secrets } = await resolveConnectorCredentials(
      [{ name: 'github', secrets: ['GITHUB_TOKEN', 'GITHUB_APP_KEY'] }],
      {
        policy: scoped,
        env: { GITHUB_TOKEN: 'ignored-env-value' },
        provider: (connector, name) => {
          seen.push(`${connector}/${name}`)
          return name === 'GITHUB_TOKEN' ? 'sync-value' : Promise.resolve('async-value')
        },
      },
    )
    expect(seen).toEqual(['github/GITHUB_TOKEN', 'github/GITHUB_APP_KEY'])
    expect(secrets.map((s) => s.value)).toEqual(['sync-value', 'async-value'])
    expect(envelopes[0]?.secrets.map((s) => s.source)).toEqual(['provider', 'provider'])
  })

  it('returns empty lists when no connector is requested, even when secrets are denied', async () => {
    await expect(resolveConnectorCredentials([], { policy: none })).resolves.toEqual({
      envelopes: [],
      secrets: [],
    })
  })

  it('fails closed with a failure document naming every missing secret, treating empty strings as missing', async () => {
    const error = await failure(
      [
        { name: 'github', secrets: ['GITHUB_TOKEN', 'GITHUB_EMPTY'] },
        { name: 'crm', secrets: ['CRM_KEY'] },
      ],
      { policy: scoped, env: { GITHUB_TOKEN: 'present', GITHUB_EMPTY: '' } },
    )
    expect(error.code).toBe('CONNECTOR_CREDENTIALS_UNAVAILABLE')
    const document = ConnectorCredentialFailureSchema.parse(error.document)
    expect(document.connectors.map((c) => [c.connector, c.status])).toEqual([
      ['github', 'missing'],
      ['crm', 'missing'],
    ])
    expect(document.connectors[0]?.secrets.map((s) => s.status)).toEqual(['available', 'missing'])
    expect(document.reasons.map((r) => [r.connector, r.secret, r.status])).toEqual([
      ['github', 'GITHUB_EMPTY', 'missing'],
      ['crm', 'CRM_KEY', 'missing'],
    ])
    expect(document.reasons[0]?.reason).toContain('environment variable GITHUB_EMPTY is not set or is empty')
    expect(error.message).toContain('github/GITHUB_EMPTY')
    expect(error.message).toContain('crm/CRM_KEY')
    expect(error.message).not.toContain('present')
    expect(error.toJSON().details).toEqual({ document: JSON.parse(JSON.stringify(document)) })
  })

  it('denies every requested connector when policy.secrets is "none", without reading the environment', async () => {
    let reads = 0
    const env = new Proxy({} as Record<string, string>, {
      get: () => {
        reads++
        return 'value'
      },
    })
    const error = await failure([{ name: 'github', secrets: ['GITHUB_TOKEN'] }], { policy: none, env })
    expect(reads).toBe(0)
    const document = ConnectorCredentialFailureSchema.parse(error.document)
    expect(document.connectors).toEqual([
      {
        schema: 'wp-codebox/connector-credentials/v1',
        connector: 'github',
        scope: 'connector',
        status: 'denied',
        secrets: [
          {
            name: 'GITHUB_TOKEN',
            status: 'denied',
            scope: 'connector',
            source: 'none',
            reason: expect.stringContaining('set secrets: "connector-scoped"'),
          },
        ],
      },
    ])
  })

  it('treats provider failures and non-string answers as missing, with reasons', async () => {
    const error = await failure([{ name: 'c', secrets: ['A', 'B', 'C', 'D'] }], {
      policy: scoped,
      provider: (_connector, name) => {
        if (name === 'A') throw new TypeError('boom')
        if (name === 'B') return 42 as unknown as string
        if (name === 'C') return undefined
        return 'ok'
      },
    })
    expect(error.document.reasons.map((r) => [r.secret, r.reason])).toEqual([
      ['A', expect.stringContaining('threw (TypeError)')],
      ['B', expect.stringContaining('returned a number')],
      ['C', expect.stringContaining('returned no value')],
    ])
  })

  it('does not read inherited properties of the environment object', async () => {
    const env = Object.create({ INHERITED: 'x' }) as Record<string, string>
    const error = await failure([{ name: 'c', secrets: ['INHERITED'] }], { policy: scoped, env })
    expect(error.document.reasons[0]?.status).toBe('missing')
  })

  it('rejects malformed connector declarations with path-precise issues', async () => {
    const promise = resolveConnectorCredentials(
      [
        { name: 'github', secrets: ['github_token', 'OK', 'OK'] },
        { name: '', secrets: [] },
        { name: 'github', secrets: ['X'] },
      ],
      { policy: scoped, env: {} },
    )
    await expect(promise).rejects.toBeInstanceOf(PolicyValidationError)
    const error = (await promise.catch((e: unknown) => e)) as PolicyValidationError
    expect(error.subject).toBe('connectors')
    expect(error.issues.map((issue) => issue.path)).toEqual([
      '$[0].secrets[0]',
      '$[0].secrets[2]',
      '$[1].name',
      '$[1].secrets',
      '$[2].name',
    ])
  })
})

describe('ConnectorCredentialEnvelopeSchema', () => {
  const envelope = {
    schema: 'wp-codebox/connector-credentials/v1',
    connector: 'github',
    scope: 'connector',
    status: 'missing',
    secrets: [
      { name: 'GITHUB_TOKEN', status: 'missing', scope: 'connector', source: 'env', reason: 'not set' },
    ],
  }

  it('accepts a well-formed envelope', () => {
    expect(ConnectorCredentialEnvelopeSchema.safeParse(envelope).success).toBe(true)
  })

  it('rejects a value field, a status that contradicts its secrets and a missing secret without a reason', () => {
    const withValue = { ...envelope, secrets: [{ ...envelope.secrets[0], value: 'leak' }] }
    expect(ConnectorCredentialEnvelopeSchema.safeParse(withValue).success).toBe(false)
    expect(ConnectorCredentialEnvelopeSchema.safeParse({ ...envelope, status: 'available' }).success).toBe(
      false,
    )
    const noReason = {
      ...envelope,
      secrets: [{ name: 'GITHUB_TOKEN', status: 'missing', scope: 'connector', source: 'env' }],
    }
    expect(ConnectorCredentialEnvelopeSchema.safeParse(noReason).success).toBe(false)
  })
})
