import { createRedactor, type Redactor } from '@codebox/artifacts'
import { parsePolicy, resolveConnectorCredentials } from '@codebox/policy'
import { nanoid } from 'nanoid'
import type { CommandCatalogue } from './commands.js'
import { CreateOptionsSchema, validate } from './create-options.js'
import { AbortedError, CodeboxError, isCodeboxError, messageOf, TimeoutError } from './errors.js'
import type { RuntimeEvent } from './events.js'
import { silentLogger } from './logger.js'
import { redactError } from './redact-error.js'
import type { CreateRuntimeOptions, Runtime } from './runtime.js'
import { DEFAULT_CREATE_TIMEOUT_MS } from './runtime-defaults.js'
import { RuntimeDeterminism } from './runtime-determinism.js'
import { RuntimeImpl } from './runtime-impl.js'
import { DEFAULT_RUNTIME_LIMITS } from './runtime-limits.js'
import { runtimeRegistry } from './runtime-registry.js'
import { SPAN_ATTRIBUTES, SPAN_NAMES, traced } from './runtime-telemetry.js'

/**
 * Creates a runtime on the given backend: validates options and policy, resolves connector credentials (failing
 * closed before anything boots), boots the backend instance and returns a ready {@link Runtime}.
 *
 * @example
 * import { createRuntime } from '@codebox/runtime-core'
 * import { playground } from '@codebox/backend-playground'
 *
 * await using runtime = await createRuntime({
 *   backend: playground(),
 *   policy: { commands: { allow: ['wordpress.*'] } },
 * })
 *
 * @throws ValidationError (`RUNTIME_OPTIONS_INVALID`) naming each bad field,
 *   `PolicyValidationError`, `ConnectorCredentialError`, `OPERATION_TIMED_OUT`, `OPERATION_ABORTED`,
 *   or the backend's own typed error.
 */
export async function createRuntime<C extends CommandCatalogue>(
  options: CreateRuntimeOptions<C>,
): Promise<Runtime<C>> {
  // Secrets are registered as soon as they resolve, so whatever fails later (a backend error echoing PHP output
  // that printed a connector constant, say) is redacted on its way out (before the span records it).
  const redactor = createRedactor()
  // Taken before the first await, so its stack still names the caller: a leak check reports where a runtime that
  // outlived its test was made.
  const createdAt = new Error('runtime created here')
  const backend = (options as { backend?: { name?: unknown } } | undefined)?.backend?.name
  return traced(
    SPAN_NAMES.create,
    { [SPAN_ATTRIBUTES.backend]: typeof backend === 'string' ? backend : 'unknown' },
    async (span) => {
      try {
        return await startRuntime(options, redactor, createdAt, (id) =>
          span.setAttribute(SPAN_ATTRIBUTES.runtimeId, id),
        )
      } catch (error) {
        throw redactError(error, redactor)
      }
    },
  )
}

async function startRuntime<C extends CommandCatalogue>(
  options: CreateRuntimeOptions<C>,
  redactor: Redactor,
  createdAt: Error,
  named: (runtimeId: string) => void,
): Promise<Runtime<C>> {
  validate(CreateOptionsSchema, options, 'RUNTIME_OPTIONS_INVALID', 'createRuntime options')
  const determinism = options.deterministic ? new RuntimeDeterminism(options.deterministic) : undefined
  if (determinism && options.backend.deterministic !== true) {
    throw new CodeboxError(
      'DETERMINISM_UNSUPPORTED',
      `Backend "${options.backend.name}" cannot run deterministically (it does not seed its sandbox's clock and random sources); leave out the deterministic option or use a backend that supports it, such as playground().`,
    )
  }
  const logger = options.logger ?? silentLogger
  const policy = parsePolicy(options.policy ?? {})
  const { envelopes, secrets } = await resolveConnectorCredentials(options.connectors ?? [], {
    policy,
    ...(options.env ? { env: options.env } : {}),
    ...(options.secretProvider ? { provider: options.secretProvider } : {}),
  })
  const secretValues = new Map<string, string>()
  for (const secret of secrets) {
    redactor.addSecret(secret.name, secret.value)
    secretValues.set(secret.name, secret.value)
  }

  const runtime = new RuntimeImpl<C>({
    id: determinism
      ? determinism.runtimeId(new Set(runtimeRegistry.live().map((record) => record.id)))
      : `rt_${nanoid(12)}`,
    ...(determinism ? { determinism } : {}),
    backend: options.backend,
    policy,
    logger,
    redactor,
    metadata: Object.freeze({ ...(options.metadata ?? {}) }),
    credentials: envelopes,
    onApproval: options.onApproval,
    limits: { ...DEFAULT_RUNTIME_LIMITS, ...options.limits },
    inputs: {
      backend: options.backend.name,
      mounts: (options.mounts ?? []).map(({ source, target, mode }) => ({
        source,
        target,
        mode: mode ?? 'readonly',
      })),
      connectors: (options.connectors ?? []).map(({ name, secrets: names }) => ({
        name,
        secrets: [...names],
      })),
      restoredFrom: options.from ? 'snapshot' : null,
    },
  })
  named(runtime.id)
  runtimeRegistry.add(runtime, { cleanupOnExit: options.cleanupOnExit !== false, createdAt })

  const timeoutMs = options.timeoutMs ?? DEFAULT_CREATE_TIMEOUT_MS
  const signals = [AbortSignal.timeout(timeoutMs)]
  if (options.signal) signals.push(options.signal)
  const signal = AbortSignal.any(signals)
  try {
    if (signal.aborted) throw signal.reason
    await runtime.start(options, secretValues, signal)
    return runtime
  } catch (error) {
    await runtime.destroy('create-failed')
    if (options.signal?.aborted) throw new AbortedError('createRuntime', options.signal.reason)
    if (signal.aborted) throw new TimeoutError('createRuntime', timeoutMs)
    if (isCodeboxError(error)) throw error
    throw new CodeboxError(
      'RUNTIME_CREATE_FAILED',
      `Backend "${options.backend.name}" failed to create a runtime: ${messageOf(error)}`,
      { cause: error },
    )
  }
}

export type { RuntimeEvent }
