/**
 * zod schemas (and their types) of connector credential envelopes and of the failure document: the shapes that
 * cross the boundary to callers and artifacts. Resolving credentials from the environment is
 * `connector-credentials.ts`; this module holds only data definitions, so the error classes can refer to them.
 */
import { z } from 'zod'
/** Schema id of a connector credential envelope. */
export const CONNECTOR_CREDENTIALS_SCHEMA_ID = 'wp-codebox/connector-credentials/v1'
/** Schema id of the document describing why connector credentials could not be provided. */
export const CONNECTOR_CREDENTIAL_FAILURE_SCHEMA_ID = 'wp-codebox/connector-credential-failure/v1'

/** A secret name, as in an environment variable: `GITHUB_TOKEN`. */
export const SecretNameSchema = z
  .string({ error: 'expected a secret name string such as "GITHUB_TOKEN"' })
  .regex(/^[A-Z_][A-Z0-9_]*$/, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a valid secret name; use upper-case letters, digits and "_", not starting with a digit (e.g. "GITHUB_TOKEN")`,
  })

/** A connector name: `github`, `openai`, `my-crm`. */
export const ConnectorNameSchema = z
  .string({ error: 'expected a connector name string such as "github"' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a valid connector name; use up to 64 letters, digits, ".", "_" or "-" (e.g. "github")`,
  })

/** A connector a caller wants the runtime to use, and the secrets it needs. */
export const ConnectorDeclarationSchema = z.strictObject(
  {
    name: ConnectorNameSchema,
    secrets: z
      .array(SecretNameSchema, { error: 'secrets must be an array of secret names, e.g. ["GITHUB_TOKEN"]' })
      .min(1, { error: 'secrets is empty; list the secret names this connector needs' })
      .superRefine((names, ctx) => {
        names.forEach((name, index) => {
          if (names.indexOf(name) !== index) {
            ctx.addIssue({
              code: 'custom',
              path: [index],
              message: `secret ${name} is listed twice; list it once`,
            })
          }
        })
      }),
  },
  { error: 'a connector must be an object like { name: "github", secrets: ["GITHUB_TOKEN"] }' },
)

/** A list of connector declarations with distinct names. */
export const ConnectorDeclarationsSchema = z
  .array(ConnectorDeclarationSchema, { error: 'connectors must be an array of { name, secrets } objects' })
  .superRefine((connectors, ctx) => {
    const names = connectors.map((connector) => connector.name)
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `connector ${JSON.stringify(name)} is declared twice; merge its secrets into one declaration`,
        })
      }
    })
  })

/** Whether a secret (or a whole connector) can be provided. */
export const CredentialStatusSchema = z.enum(['available', 'missing', 'denied'])
/** Where a secret value was looked for: the parent environment, an injected provider, or nowhere (denied). */
export const CredentialSourceSchema = z.enum(['env', 'provider', 'none'])

/** Name and status of one secret of a connector. Never a value. */
export const ConnectorSecretStatusSchema = z
  .strictObject({
    name: SecretNameSchema,
    status: CredentialStatusSchema,
    scope: z.literal('connector'),
    source: CredentialSourceSchema,
    reason: z.string().min(1).optional().meta({ description: 'Why the secret is missing or denied.' }),
  })
  .superRefine((secret, ctx) => {
    if (secret.status !== 'available' && secret.reason === undefined) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: `a ${secret.status} secret needs a reason` })
    }
  })

/**
 * Overall status of a connector: `denied` if any secret is denied, else `missing` if any is missing.
 * Internal (not exported by the package): shared with the resolver so an envelope always passes its own schema.
 */
export function overallStatus(statuses: readonly CredentialStatus[]): CredentialStatus {
  if (statuses.includes('denied')) return 'denied'
  if (statuses.includes('missing')) return 'missing'
  return 'available'
}

/**
 * The redacted description of one connector's credentials: names and status, never values.
 * Shape: `{ schema: 'wp-codebox/connector-credentials/v1', connector, scope: 'connector', status, secrets }`.
 */
export const ConnectorCredentialEnvelopeSchema = z
  .strictObject({
    schema: z.literal(CONNECTOR_CREDENTIALS_SCHEMA_ID),
    connector: ConnectorNameSchema,
    scope: z.literal('connector'),
    status: CredentialStatusSchema,
    secrets: z.array(ConnectorSecretStatusSchema),
  })
  .superRefine((envelope, ctx) => {
    const expected = overallStatus(envelope.secrets.map((secret) => secret.status))
    if (envelope.status !== expected) {
      ctx.addIssue({
        code: 'custom',
        path: ['status'],
        message: `status is ${JSON.stringify(envelope.status)} but its secrets make it ${JSON.stringify(expected)}`,
      })
    }
  })
  .meta({ title: 'codebox connector credential envelope' })

/** One missing or denied secret, as listed in a failure document. */
export const ConnectorCredentialFailureReasonSchema = z.strictObject({
  connector: ConnectorNameSchema,
  secret: SecretNameSchema,
  status: z.enum(['missing', 'denied']),
  reason: z.string().min(1),
})

/**
 * Why a runtime was not created: the redacted envelopes of every requested connector, one reason per missing or
 * denied secret, and a human message. Never contains a secret value.
 */
export const ConnectorCredentialFailureSchema = z
  .strictObject({
    schema: z.literal(CONNECTOR_CREDENTIAL_FAILURE_SCHEMA_ID),
    code: z.literal('CONNECTOR_CREDENTIALS_UNAVAILABLE'),
    message: z.string().min(1),
    connectors: z.array(ConnectorCredentialEnvelopeSchema).min(1),
    reasons: z.array(ConnectorCredentialFailureReasonSchema).min(1),
  })
  .meta({ title: 'codebox connector credential failure' })

/** `available`, `missing` or `denied`. */
export type CredentialStatus = z.infer<typeof CredentialStatusSchema>
/** `env`, `provider` or `none`. */
export type CredentialSource = z.infer<typeof CredentialSourceSchema>
/** Name and status of one secret. */
export type ConnectorSecretStatus = z.infer<typeof ConnectorSecretStatusSchema>
/** A redacted connector credential envelope. */
export type ConnectorCredentialEnvelope = z.infer<typeof ConnectorCredentialEnvelopeSchema>
/** One missing or denied secret in a failure document. */
export type ConnectorCredentialFailureReason = z.infer<typeof ConnectorCredentialFailureReasonSchema>
/** The failure document. */
export type ConnectorCredentialFailure = z.infer<typeof ConnectorCredentialFailureSchema>
