import { describe, expect, it } from 'vitest'
import { resolveConnectorCredentials } from './connector-credentials.js'
import { ConnectorCredentialError } from './errors.js'
import {
  connectorCredentialEnvelopeJsonSchema,
  connectorCredentialFailureJsonSchema,
  policyJsonSchema,
} from './json-schemas.js'
import { parsePolicy } from './parse-policy.js'

type Schema = {
  type?: string
  required?: string[]
  properties?: Record<string, Schema>
  additionalProperties?: unknown
  items?: Schema
  const?: unknown
  enum?: unknown[]
}

/** A deliberately tiny JSON Schema check: types, required keys, no extra keys, const and enum. */
function conforms(schema: Schema, value: unknown, path = '$'): string[] {
  const problems: string[] = []
  if (schema.const !== undefined && value !== schema.const)
    problems.push(`${path}: expected ${String(schema.const)}`)
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${path}: not in enum`)
  if (schema.type === 'array') {
    if (!Array.isArray(value)) return [...problems, `${path}: expected array`]
    value.forEach((item, index) => {
      if (schema.items) problems.push(...conforms(schema.items, item, `${path}[${index}]`))
    })
  }
  if (schema.type === 'object') {
    if (typeof value !== 'object' || value === null) return [...problems, `${path}: expected object`]
    const record = value as Record<string, unknown>
    for (const key of schema.required ?? []) if (!(key in record)) problems.push(`${path}.${key}: required`)
    for (const [key, member] of Object.entries(record)) {
      const sub = schema.properties?.[key]
      if (sub) problems.push(...conforms(sub, member, `${path}.${key}`))
      else if (schema.additionalProperties === false) problems.push(`${path}.${key}: not allowed`)
    }
  }
  if (schema.type === 'string' && typeof value !== 'string') problems.push(`${path}: expected string`)
  return problems
}

async function sampleFailure() {
  try {
    await resolveConnectorCredentials([{ name: 'github', secrets: ['GITHUB_TOKEN', 'GITHUB_APP'] }], {
      policy: parsePolicy({ secrets: 'connector-scoped' }),
      env: { GITHUB_TOKEN: 'x' },
    })
  } catch (error) {
    if (error instanceof ConnectorCredentialError) return error.document
  }
  throw new Error('expected a failure')
}

describe('JSON Schemas', () => {
  it('describe the envelope with the issue’s required keys and no room for a value field', () => {
    const schema = connectorCredentialEnvelopeJsonSchema() as Schema
    expect(schema.required?.sort()).toEqual(['connector', 'schema', 'scope', 'secrets', 'status'])
    expect(schema.additionalProperties).toBe(false)
    expect(schema.properties?.schema?.const).toBe('wp-codebox/connector-credentials/v1')
    const secret = schema.properties?.secrets?.items as Schema
    expect(secret.required?.sort()).toEqual(['name', 'scope', 'source', 'status'])
    expect(Object.keys(secret.properties ?? {})).not.toContain('value')
  })

  it('describe the failure document with its required keys', () => {
    const schema = connectorCredentialFailureJsonSchema() as Schema
    expect(schema.required?.sort()).toEqual(['code', 'connectors', 'message', 'reasons', 'schema'])
    expect(schema.properties?.schema?.const).toBe('wp-codebox/connector-credential-failure/v1')
  })

  it('accept the envelopes and failure documents the resolver produces, and reject a tampered one', async () => {
    const document = await sampleFailure()
    const failureSchema = connectorCredentialFailureJsonSchema() as Schema
    expect(conforms(failureSchema, document)).toEqual([])
    for (const envelope of document.connectors) {
      expect(conforms(connectorCredentialEnvelopeJsonSchema() as Schema, envelope)).toEqual([])
    }
    const tampered = { ...document, connectors: [{ ...document.connectors[0], token: 'x' }] }
    expect(conforms(failureSchema, tampered)).toEqual(['$.connectors[0].token: not allowed'])
  })

  it('describe the policy input with every field optional and unknown keys forbidden', () => {
    const schema = policyJsonSchema() as Schema
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual([
      'approvals',
      'commands',
      'filesystem',
      'network',
      'secrets',
    ])
    expect(schema.required ?? []).toEqual([])
    expect(schema.additionalProperties).toBe(false)
    expect(conforms(schema, { commands: { allow: ['*'] }, secrets: 'none' })).toEqual([])
    expect(conforms(schema, { secret: 'none' })).toEqual(['$.secret: not allowed'])
  })
})
