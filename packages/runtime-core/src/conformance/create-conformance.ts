import { describe, expect, it } from 'vitest'
import type { CommandCatalogue } from '../commands.js'
import { createRuntime } from '../create-runtime.js'
import { isCodeboxError } from '../errors.js'
import type { CreateRuntimeOptions } from '../runtime.js'
import { allowAll, type ConformanceContext } from './conformance-context.js'

/** `createRuntime()`: a ready runtime, invalid options and policies, an aborted signal, missing connector secrets. */
export function describeCreateConformance<C extends CommandCatalogue>(ctx: ConformanceContext<C>): void {
  const { options, create } = ctx
  describe('create', () => {
    it('returns a ready runtime that lists its backend commands', () => {
      expect(ctx.shared.state).toBe('ready')
      expect(ctx.shared.id).toMatch(/^rt_/)
      expect(ctx.shared.commands.length).toBeGreaterThan(0)
      expect(ctx.shared.provenance.backend.name).toBe(ctx.shared.backend)
    })

    it('emits runtime.created, visible to a replaying observer', async () => {
      const iterator = ctx.shared.observe({ replay: true, types: ['runtime.created'] })
      const first = await iterator.next()
      await iterator.return?.()
      expect(first.value?.type).toBe('runtime.created')
      expect(first.value?.runtimeId).toBe(ctx.shared.id)
    })

    it('rejects invalid options with an error naming the field', async () => {
      const error = await createRuntime({
        backend: options.createBackend(),
        timeoutMs: -5,
      } as CreateRuntimeOptions<C>).catch((e: unknown) => e)
      expect(isCodeboxError(error)).toBe(true)
      expect((error as { code: string }).code).toBe('RUNTIME_OPTIONS_INVALID')
      expect((error as Error).message).toContain('$.timeoutMs')
    })

    it('rejects an invalid policy before booting', async () => {
      const error = await create({ policy: { network: 42 } } as Partial<CreateRuntimeOptions<C>>).catch(
        (e: unknown) => e,
      )
      expect(isCodeboxError(error)).toBe(true)
      expect((error as { code: string }).code).toBe('POLICY_INVALID')
    })

    it('gives up with OPERATION_ABORTED when the create signal is already aborted', async () => {
      const error = await create({ signal: AbortSignal.abort() }).catch((e: unknown) => e)
      expect((error as { code?: string }).code).toBe('OPERATION_ABORTED')
    })

    it('fails closed before boot when a connector secret is missing', async () => {
      const error = await create({
        policy: { ...allowAll, secrets: 'connector-scoped' },
        connectors: [{ name: 'crm', secrets: ['CODEBOX_CONFORMANCE_MISSING_SECRET'] }],
        env: {},
      } as Partial<CreateRuntimeOptions<C>>).catch((e: unknown) => e)
      expect((error as { code?: string }).code).toBe('CONNECTOR_CREDENTIALS_UNAVAILABLE')
    })
  })
}
