import { describe, expect, it } from 'vitest'
import type { CommandCatalogue } from '../commands.js'
import type { RuntimeEvent } from '../events.js'
import type { CommandResult, Runtime } from '../runtime.js'
import type { ConformanceContext } from './conformance-context.js'

/** `execute()`: results as data, event order, unknown commands and bad arguments, key=value args, timeouts and aborts. */
export function describeExecuteConformance<C extends CommandCatalogue>(ctx: ConformanceContext<C>): void {
  const { options, timeout, create, exec } = ctx
  describe('execute', () => {
    it(
      'returns a frozen ok result with stdout, exit code and duration',
      async () => {
        const result = await exec(ctx.shared, options.echo('conformance-ok'))
        expect(result.status).toBe('ok')
        expect(result.exitCode).toBe(0)
        expect(result.stdout).toContain('conformance-ok')
        expect(result.durationMs).toBeGreaterThanOrEqual(0)
        expect(Object.isFrozen(result)).toBe(true)
      },
      timeout,
    )

    it(
      'emits command.started, command.output and command.finished in order',
      async () => {
        const events: RuntimeEvent[] = []
        const off = ctx.shared.on('*', (event) => events.push(event))
        const result = await exec(ctx.shared, options.echo('ordered-events'))
        off()
        const mine = events.filter((event) => 'commandId' in event && event.commandId === result.id)
        const types = mine.map((event) => event.type)
        expect(types[0]).toBe('command.started')
        expect(types.at(-1)).toBe('command.finished')
        expect(types).toContain('command.output')
        const seqs = mine.map((event) => event.seq)
        expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
      },
      timeout,
    )

    it(
      'reports a failing command as data, and throws only when asked',
      async () => {
        const result = await exec(ctx.shared, options.fail())
        expect(result.status).toBe('failed')
        expect(result.exitCode).not.toBe(0)
        const error = await exec(ctx.shared, options.fail(), { throwOnFailure: true }).catch(
          (e: unknown) => e,
        )
        expect((error as { code?: string }).code).toBe('COMMAND_FAILED')
        expect((error as { result?: CommandResult }).result?.status).toBe('failed')
      },
      timeout,
    )

    it('throws COMMAND_UNKNOWN for a command outside the catalogue', async () => {
      const error = await exec(ctx.shared, { command: 'no.such-command', args: {} }).catch((e: unknown) => e)
      expect((error as { code?: string }).code).toBe('COMMAND_UNKNOWN')
    })

    it('throws COMMAND_INVALID_ARGS naming the bad field', async () => {
      const call = options.invalidArgs()
      const error = await exec(ctx.shared, call).catch((e: unknown) => e)
      expect((error as { code?: string }).code).toBe('COMMAND_INVALID_ARGS')
      expect((error as { issues: { path: string }[] }).issues.map((issue) => issue.path)).toContain(call.path)
    })

    it(
      'parses recipe-style key=value arguments into the same schema',
      async () => {
        const call = options.echo('kv-args')
        const result = await ctx.shared.execute({
          command: call.command,
          args: options.echoKeyValue('kv-args'),
        } as Parameters<Runtime<C>['execute']>[0])
        expect(result.status).toBe('ok')
        expect(result.stdout).toContain('kv-args')
      },
      timeout,
    )

    it(
      'stops a runaway command at its timeout and recovers or reports itself failed',
      async () => {
        const runtime = await create()
        try {
          const started = performance.now()
          const result = await exec(runtime, options.hang(), { timeoutMs: 500 })
          const elapsed = performance.now() - started
          expect(result.status).toBe('timed-out')
          expect(elapsed).toBeLessThan(500 + 1_000 + 250)
          if (runtime.state === 'ready') {
            const after = await exec(runtime, options.echo('recovered'))
            expect(after.status).toBe('ok')
          } else {
            expect(runtime.state).toBe('failed')
            expect(runtime.diagnostics.length).toBeGreaterThan(0)
          }
        } finally {
          await runtime.destroy()
        }
      },
      timeout,
    )

    it(
      'stops a command when its signal aborts',
      async () => {
        const runtime = await create()
        try {
          const controller = new AbortController()
          setTimeout(() => controller.abort(), 300)
          const result = await exec(runtime, options.hang(), { signal: controller.signal })
          expect(result.status).toBe('aborted')
        } finally {
          await runtime.destroy()
        }
      },
      timeout,
    )
  })
}
