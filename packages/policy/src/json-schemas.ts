import { z } from 'zod'
import {
  ConnectorCredentialEnvelopeSchema,
  ConnectorCredentialFailureSchema,
} from './connector-credential-schemas.js'
import { RuntimePolicySchema } from './policy-schema.js'

/** A JSON Schema document (draft 2020-12) as produced by `z.toJSONSchema`. */
export type JsonSchemaDocument = z.core.JSONSchema.JSONSchema

/**
 * JSON Schema of the runtime policy as a caller writes it (every field optional, defaults recorded).
 * Refinements such as host-entry grammar are described in `description`s, not expressed in the schema.
 */
export function policyJsonSchema(): JsonSchemaDocument {
  return z.toJSONSchema(RuntimePolicySchema, { io: 'input' })
}

/** JSON Schema of a `wp-codebox/connector-credentials/v1` envelope. */
export function connectorCredentialEnvelopeJsonSchema(): JsonSchemaDocument {
  return z.toJSONSchema(ConnectorCredentialEnvelopeSchema)
}

/** JSON Schema of a `wp-codebox/connector-credential-failure/v1` document. */
export function connectorCredentialFailureJsonSchema(): JsonSchemaDocument {
  return z.toJSONSchema(ConnectorCredentialFailureSchema)
}
