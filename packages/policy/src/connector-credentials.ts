import {
  CONNECTOR_CREDENTIAL_FAILURE_SCHEMA_ID,
  CONNECTOR_CREDENTIALS_SCHEMA_ID,
  type ConnectorCredentialEnvelope,
  type ConnectorCredentialFailure,
  type ConnectorCredentialFailureReason,
  ConnectorDeclarationsSchema,
  type ConnectorSecretStatus,
  overallStatus,
} from './connector-credential-schemas.js'
import { ConnectorCredentialError, PolicyValidationError } from './errors.js'
import type { RuntimePolicy } from './policy-schema.js'
import { toPolicyIssues } from './zod-issues.js'

/** A connector a caller declares: its name and the names of the secrets it needs. */
export interface ConnectorDeclaration {
  /** Connector name, e.g. `github`. */
  readonly name: string
  /** Secret names, e.g. `['GITHUB_TOKEN']`; each is read from the environment variable of that name. */
  readonly secrets: readonly string[]
}

/**
 * A secret value resolved for one connector. This is the only place a value lives: `value` is readable, but
 * `JSON.stringify`, `String()` and `util.inspect` show `[redacted]`, and object spread drops it.
 */
export interface ResolvedSecret {
  /** The connector the secret belongs to. */
  readonly connector: string
  /** The secret name, e.g. `GITHUB_TOKEN`. */
  readonly name: string
  /** The secret value. Register it with the redactor before it reaches the runtime. */
  readonly value: string
}

const REDACTED = '[redacted]'
const INSPECT = Symbol.for('nodejs.util.inspect.custom')

class RedactedResolvedSecret implements ResolvedSecret {
  readonly connector: string
  readonly name: string
  readonly #value: string

  constructor(connector: string, name: string, value: string) {
    this.connector = connector
    this.name = name
    this.#value = value
    Object.freeze(this)
  }

  get value(): string {
    return this.#value
  }

  toJSON(): { connector: string; name: string; value: string } {
    return { connector: this.connector, name: this.name, value: REDACTED }
  }

  toString(): string {
    return `ResolvedSecret(${this.connector}/${this.name}: ${REDACTED})`
  }

  [INSPECT](): string {
    return `ResolvedSecret { connector: ${JSON.stringify(this.connector)}, name: ${JSON.stringify(this.name)}, value: ${REDACTED} }`
  }
}

/** Supplies a secret value; `undefined` or `''` means missing. Its thrown errors are reduced to their name. */
export type CredentialProvider = (
  connector: string,
  secretName: string,
) => string | undefined | Promise<string | undefined>

/** Options of {@link resolveConnectorCredentials}. */
export interface ResolveConnectorCredentialsOptions {
  /** The effective policy; `secrets: 'none'` denies every connector. */
  readonly policy: Pick<RuntimePolicy, 'secrets'>
  /**
   * Environment to read secrets from, by secret name. Default: `process.env`. Ignored when `provider` is given.
   */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Supplies secret values instead of the environment. Default: none (read `env`). */
  readonly provider?: CredentialProvider
}

/** What {@link resolveConnectorCredentials} returns when every requested secret is available. */
export interface ResolvedConnectorCredentials {
  /** One redacted envelope per connector, in declaration order, each with status `available`. */
  readonly envelopes: readonly ConnectorCredentialEnvelope[]
  /** The values, one per declared secret. */
  readonly secrets: readonly ResolvedSecret[]
}

interface Lookup {
  readonly status: 'available' | 'missing'
  readonly value?: string
  readonly reason?: string
}

function describeType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return `a ${typeof value}`
}

async function lookUp(
  connector: string,
  name: string,
  options: ResolveConnectorCredentialsOptions,
): Promise<Lookup> {
  const { provider } = options
  if (provider === undefined) {
    const env = options.env ?? (typeof process === 'undefined' ? {} : process.env)
    const value = Object.hasOwn(env, name) ? env[name] : undefined
    if (typeof value === 'string' && value !== '') return { status: 'available', value }
    return {
      status: 'missing',
      reason: `environment variable ${name} is not set or is empty in the parent process; set it to provide this secret`,
    }
  }
  let value: unknown
  try {
    value = await provider(connector, name)
  } catch (error) {
    // The provider's message could quote secret material, so only its class name is kept.
    const kind = error instanceof Error ? error.name : typeof error
    return {
      status: 'missing',
      reason: `the credential provider threw (${kind}) for ${name}; its message is withheld because it may contain secret material`,
    }
  }
  if (typeof value === 'string' && value !== '') return { status: 'available', value }
  if (value === undefined || value === '') {
    return { status: 'missing', reason: `the credential provider returned no value for ${name}` }
  }
  return {
    status: 'missing',
    reason: `the credential provider returned ${describeType(value)} for ${name}; it must return a non-empty string`,
  }
}

function failureDocument(envelopes: readonly ConnectorCredentialEnvelope[]): ConnectorCredentialFailure {
  const reasons: ConnectorCredentialFailureReason[] = envelopes.flatMap((envelope) =>
    envelope.secrets.flatMap((secret) =>
      secret.status === 'available'
        ? []
        : [
            {
              connector: envelope.connector,
              secret: secret.name,
              status: secret.status,
              reason: secret.reason ?? '',
            },
          ],
    ),
  )
  const summary = reasons.map((r) => `${r.connector}/${r.secret} ${r.status}: ${r.reason}`).join('; ')
  return {
    schema: CONNECTOR_CREDENTIAL_FAILURE_SCHEMA_ID,
    code: 'CONNECTOR_CREDENTIALS_UNAVAILABLE',
    message: `Connector credentials are unavailable, so the runtime was not created (${summary}).`,
    connectors: envelopes.map((envelope) => ({
      ...envelope,
      secrets: envelope.secrets.map((s) => ({ ...s })),
    })),
    reasons,
  }
}

/**
 * Resolves the secrets of the declared connectors from the parent environment (or an injected provider) and
 * describes them in redacted envelopes. Fails closed: if any connector or secret is missing or denied, nothing is
 * returned and a {@link ConnectorCredentialError} carries the failure document.
 *
 * - `policy.secrets === 'none'` denies every requested connector (no environment lookups happen).
 * - An empty string counts as missing.
 * - No connectors: returns empty lists whatever the policy.
 *
 * @param connectors - the connector declarations (validated here).
 * @param options - policy, environment or provider.
 * @returns redacted envelopes and the resolved secrets.
 * @throws {@link PolicyValidationError} when the declarations are malformed (subject `connectors`).
 * @throws {@link ConnectorCredentialError} (code `CONNECTOR_CREDENTIALS_UNAVAILABLE`) when anything is missing or denied.
 *
 * @example
 * ```ts
 * const { envelopes, secrets } = await resolveConnectorCredentials(
 *   [{ name: 'github', secrets: ['GITHUB_TOKEN'] }],
 *   { policy: parsePolicy({ secrets: 'connector-scoped' }) },
 * )
 * for (const secret of secrets) redactor.register(secret.value)
 * ```
 */
export async function resolveConnectorCredentials(
  connectors: readonly ConnectorDeclaration[],
  options: ResolveConnectorCredentialsOptions,
): Promise<ResolvedConnectorCredentials> {
  const parsed = ConnectorDeclarationsSchema.safeParse(connectors)
  if (!parsed.success) {
    throw new PolicyValidationError('connectors', toPolicyIssues(ConnectorDeclarationsSchema, parsed.error))
  }
  const envelopes: ConnectorCredentialEnvelope[] = []
  const secrets: ResolvedSecret[] = []
  for (const connector of parsed.data) {
    const statuses: ConnectorSecretStatus[] = []
    for (const name of connector.secrets) {
      if (options.policy.secrets !== 'connector-scoped') {
        statuses.push({
          name,
          status: 'denied',
          scope: 'connector',
          source: 'none',
          reason: `policy.secrets is ${JSON.stringify(options.policy.secrets)}; set secrets: "connector-scoped" to let connector ${JSON.stringify(connector.name)} receive ${name}`,
        })
        continue
      }
      const source = options.provider === undefined ? 'env' : 'provider'
      const found = await lookUp(connector.name, name, options)
      if (found.status === 'available' && found.value !== undefined) {
        statuses.push({ name, status: 'available', scope: 'connector', source })
        secrets.push(new RedactedResolvedSecret(connector.name, name, found.value))
      } else {
        statuses.push({
          name,
          status: 'missing',
          scope: 'connector',
          source,
          reason: found.reason ?? 'missing',
        })
      }
    }
    envelopes.push({
      schema: CONNECTOR_CREDENTIALS_SCHEMA_ID,
      connector: connector.name,
      scope: 'connector',
      status: overallStatus(statuses.map((s) => s.status)),
      secrets: statuses,
    })
  }
  if (envelopes.some((envelope) => envelope.status !== 'available')) {
    throw new ConnectorCredentialError(failureDocument(envelopes))
  }
  return { envelopes, secrets }
}
