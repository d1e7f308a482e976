import { describe, expect, it } from 'vitest'
import type { CommandCatalogue } from '../commands.js'
import type { RuntimeEvent } from '../events.js'
import type { CreateRuntimeOptions } from '../runtime.js'
import { allowAll, type ConformanceContext } from './conformance-context.js'

/** Policy: the command allow-list, approvals, and redaction of connector secrets. */
export function describePolicyConformance<C extends CommandCatalogue>(ctx: ConformanceContext<C>): void {
  const { options, timeout, create, exec } = ctx
  describe('policy', () => {
    it(
      'denies a command outside the allow-list without dispatching it, and records it',
      async () => {
        const runtime = await create({
          policy: { commands: { allow: [options.state.read().command] } },
        } as Partial<CreateRuntimeOptions<C>>)
        try {
          const before = options.state.valueOf(await exec(runtime, options.state.read()))
          const write = options.state.write(`denied-${Date.now()}`)
          if (write.command === options.state.read().command) return
          const denied = await exec(runtime, write)
          expect(denied.status).toBe('denied')
          expect(denied.status === 'denied' && denied.reason).toBe('policy')
          expect(runtime.history.at(-1)?.status).toBe('denied')
          expect(options.state.valueOf(await exec(runtime, options.state.read()))).toBe(before)
        } finally {
          await runtime.destroy()
        }
      },
      timeout,
    )

    it(
      'denies commands under approval when onApproval rejects or is missing, and runs them when approved',
      async () => {
        const policy = { ...allowAll, approvals: { mode: 'on-command' } }
        const noCallback = await create({ policy } as Partial<CreateRuntimeOptions<C>>)
        const rejecting = await create({ policy, onApproval: () => false } as Partial<
          CreateRuntimeOptions<C>
        >)
        const approving = await create({ policy, onApproval: () => true } as Partial<CreateRuntimeOptions<C>>)
        try {
          const a = await exec(noCallback, options.echo('x'))
          const b = await exec(rejecting, options.echo('x'))
          const c = await exec(approving, options.echo('x'))
          expect(a.status === 'denied' && a.reason).toBe('approval')
          expect(b.status === 'denied' && b.reason).toBe('approval')
          expect(c.status).toBe('ok')
        } finally {
          await Promise.all([noCallback.destroy(), rejecting.destroy(), approving.destroy()])
        }
      },
      timeout * 2,
    )

    it(
      'redacts a connector secret from events and results',
      async () => {
        const secret = 'conformance-Secret-Value-8f3a91'
        const runtime = await create({
          policy: { ...allowAll, secrets: 'connector-scoped' },
          connectors: [{ name: 'crm', secrets: ['CRM_TOKEN'] }],
          env: { CRM_TOKEN: secret },
        } as Partial<CreateRuntimeOptions<C>>)
        try {
          const events: RuntimeEvent[] = []
          runtime.on('*', (event) => events.push(event))
          const result = await exec(runtime, options.echo(`token=${secret}`))
          expect(result.status).toBe('ok')
          expect(JSON.stringify(result)).not.toContain(secret)
          expect(JSON.stringify(events)).not.toContain(secret)
          expect(JSON.stringify(runtime.history)).not.toContain(secret)
          expect(result.stdout).toContain('[REDACTED:CRM_TOKEN]')
          expect(runtime.credentials[0]?.status).toBe('available')
        } finally {
          await runtime.destroy()
        }
      },
      timeout,
    )
  })
}
