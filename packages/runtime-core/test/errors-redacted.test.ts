import { realpathSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { inspect } from 'node:util'
import { createRedactor } from '@codebox/artifacts'
import { describe, expect, it } from 'vitest'
import type { BackendInstance, RuntimeBackend } from '../src/backend.js'
import { createRuntime } from '../src/create-runtime.js'
import { CodeboxError, isCodeboxError, ValidationError } from '../src/errors.js'
import { redactError } from '../src/redact-error.js'
import { inMemoryReferenceBackend } from './in-memory-reference-backend.js'

const SECRET = 'conn-Secret-4b1d9e7f20'

/** Every way a caller could read an error: message, stack, JSON, inspection (which walks causes and fields). */
function everythingIn(error: unknown): string {
  const e = error as Error & { toJSON?: () => unknown }
  return [
    e.message,
    e.stack,
    JSON.stringify(e),
    JSON.stringify(e.toJSON?.() ?? null),
    inspect(e, { depth: 10, showHidden: true }),
  ].join('\n')
}

const leaks = (error: unknown): string[] =>
  [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('hex')].filter((form) =>
    everythingIn(error).includes(form),
  )

/** A backend error of another package: branded, with details and a cause, like BackendPlaygroundError. */
class BackendError extends Error {
  readonly [Symbol.for('codebox.error')] = true
  readonly code: string
  readonly details: Record<string, unknown>
  readonly #raw: string

  constructor(code: string, message: string, details: Record<string, unknown>, cause?: unknown) {
    super(message, { cause })
    this.name = 'BackendError'
    this.code = code
    this.details = details
    this.#raw = message
  }

  /** Computes its JSON from a private field, which redacting fields alone would miss. */
  toJSON(): unknown {
    return { code: this.code, raw: this.#raw }
  }
}

/** The reference backend, with its create or its instance methods replaced. */
function backendThat(
  change: (secret: string) => {
    create?: () => never
    instance?: Partial<BackendInstance>
  },
): RuntimeBackend {
  const base = inMemoryReferenceBackend()
  return {
    ...base,
    async create(context) {
      const secret = context.secrets.get('CRM_TOKEN') ?? ''
      const changed = change(secret)
      if (changed.create) changed.create()
      const instance = await base.create(context)
      return { ...instance, ...changed.instance }
    },
  }
}

const withSecret = {
  policy: { commands: { allow: ['memory.*'] }, secrets: 'connector-scoped' },
  connectors: [{ name: 'crm', secrets: ['CRM_TOKEN'] }],
  env: { CRM_TOKEN: SECRET },
  cleanupOnExit: false,
} as const

describe('errors leaving runtime-core carry no secret', () => {
  it('a typed backend error from create keeps its class and code but loses the secret everywhere', async () => {
    const backend = backendThat((secret) => ({
      create: () => {
        throw new BackendError(
          'PLUGIN_ACTIVATION_FAILED',
          `Plugin crm failed to activate: key ${secret} rejected`,
          { stdout: `connecting with ${secret}`, nested: { list: [secret] } },
          new Error(`inner cause with ${Buffer.from(secret).toString('base64')}`, { cause: secret }),
        )
      },
    }))
    const error = await createRuntime({ backend, ...withSecret }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(BackendError)
    expect(isCodeboxError(error) && error.code).toBe('PLUGIN_ACTIVATION_FAILED')
    expect((error as Error).message).toContain('[REDACTED:CRM_TOKEN]')
    expect(leaks(error)).toEqual([])
  })

  it('an untyped backend error becomes RUNTIME_CREATE_FAILED with its cause redacted too', async () => {
    const backend = backendThat((secret) => ({
      create: () => {
        throw Object.assign(new Error(`boot failed: ${secret}`), { output: `printed ${secret}` })
      },
    }))
    const error = await createRuntime({ backend, ...withSecret }).catch((caught: unknown) => caught)
    expect(isCodeboxError(error) && error.code).toBe('RUNTIME_CREATE_FAILED')
    expect(((error as Error).cause as Error).message).toBe('boot failed: [REDACTED:CRM_TOKEN]')
    expect(leaks(error)).toEqual([])
  })

  it('errors from snapshot, checkpoint, restore, mount and collect are redacted', async () => {
    const fail = (secret: string) => async (): Promise<never> => {
      throw new BackendError('BACKEND_FAILED', `failed near ${secret}`, { secret })
    }
    const backend = backendThat((secret) => ({
      instance: {
        snapshot: fail(secret),
        checkpoint: fail(secret),
        restore: fail(secret),
        mount: fail(secret),
        collect: fail(secret),
      },
    }))
    const host = realpathSync(tmpdir())
    const runtime = await createRuntime({
      backend,
      ...withSecret,
      policy: { ...withSecret.policy, filesystem: { mounts: [{ path: host, modes: ['readonly'] }] } },
    })
    try {
      const calls: [string, () => Promise<unknown>][] = [
        ['snapshot', () => runtime.snapshot()],
        ['checkpoint', () => runtime.checkpoint('a')],
        ['restore', () => runtime.restore('a')],
        ['mount', () => runtime.mount({ source: host, target: '/mnt/x' })],
        ['collect', () => runtime.collect({ directory: host })],
      ]
      for (const [name, call] of calls) {
        const error = await call().catch((caught: unknown) => caught)
        expect(isCodeboxError(error) && error.code, name).toBe('BACKEND_FAILED')
        expect(leaks(error), name).toEqual([])
      }
    } finally {
      await runtime.destroy()
    }
  })

  it('a frozen error that cannot be cleaned in place is replaced by one with the same code', async () => {
    const backend = backendThat((secret) => ({
      create: () => {
        throw Object.freeze(new CodeboxError('FROZEN_FAILURE', `frozen ${secret}`, { details: { secret } }))
      },
    }))
    const error = await createRuntime({ backend, ...withSecret }).catch((caught: unknown) => caught)
    expect(isCodeboxError(error) && error.code).toBe('FROZEN_FAILURE')
    expect(leaks(error)).toEqual([])
  })

  it('an error with no secret keeps its identity, its fields and its class, frozen or not', async () => {
    const redactor = createRedactor({ secrets: { CONN_TOKEN: SECRET } })
    const reason = { why: 'caller cancelled', at: [1, 2, 3] }
    const plain = new CodeboxError('ABORTED_BY_CALLER', 'stopped', { details: { reason } })
    expect(redactError(plain, redactor)).toBe(plain)
    expect((plain.details as { reason: unknown }).reason).toBe(reason)
    const frozen = Object.freeze(new CodeboxError('FROZEN_CLEAN', 'nothing secret', { details: { reason } }))
    expect(redactError(frozen, redactor)).toBe(frozen)
  })

  it('a malformed key=value entry is named by position, never echoed', async () => {
    const runtime = await createRuntime({ backend: inMemoryReferenceBackend(), ...withSecret })
    try {
      for (const args of [[SECRET], [`=${SECRET}`], [`a..b=${SECRET}`]]) {
        const error = await runtime
          .execute({ command: 'memory.echo', args })
          .catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(ValidationError)
        expect((error as ValidationError).issues[0]?.path).toBe('$[0]')
        expect(leaks(error)).toEqual([])
      }
      // Undeclared values are not echoed either: the message has no way to know they are secrets.
      const error = await runtime
        .execute({ command: 'memory.echo', args: ['just-a-value-no-equals'] })
        .catch((caught: unknown) => caught)
      expect((error as Error).message).not.toContain('just-a-value-no-equals')
      expect((error as Error).message).toContain('without "="')
    } finally {
      await runtime.destroy()
    }
  })
})
