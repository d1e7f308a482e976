import { describe, expect, it } from 'vitest'
import type { CommandCatalogue } from '../commands.js'
import { isCodeboxError } from '../errors.js'
import type { RuntimeEvent } from '../events.js'
import { runtimeRegistry } from '../runtime-registry.js'
import type { ConformanceContext } from './conformance-context.js'

/** Lifecycle: idempotent destroy, refused calls after destroy, stopped commands and iterators, `await using`. */
export function describeLifecycleConformance<C extends CommandCatalogue>(ctx: ConformanceContext<C>): void {
  const { options, timeout, create, exec } = ctx
  describe('lifecycle', () => {
    it(
      'destroys idempotently and concurrently, emitting runtime.destroyed once',
      async () => {
        const runtime = await create()
        const destroyed: RuntimeEvent[] = []
        runtime.on('runtime.destroyed', (event) => destroyed.push(event))
        await Promise.all([runtime.destroy(), runtime.destroy(), runtime.destroy()])
        await runtime.destroy()
        expect(runtime.state).toBe('destroyed')
        expect(destroyed).toHaveLength(1)
      },
      timeout,
    )

    it(
      'refuses execute, mount and snapshot after destroy with RUNTIME_DESTROYED',
      async () => {
        const runtime = await create()
        await runtime.destroy()
        for (const attempt of [
          () => exec(runtime, options.echo('late')),
          () => runtime.mount({ source: ctx.hostDir, target: `${options.mountRoot}/late` }),
          () => runtime.snapshot(),
        ]) {
          const error = await attempt().catch((e: unknown) => e)
          expect(isCodeboxError(error)).toBe(true)
          expect((error as { code: string }).code).toBe('RUNTIME_DESTROYED')
        }
      },
      timeout,
    )

    it(
      'refuses a mount while the runtime is being destroyed with RUNTIME_DESTROYING',
      async () => {
        const runtime = await create()
        const destroying = runtime.destroy()
        const error = await runtime
          .mount({ source: ctx.hostDir, target: `${options.mountRoot}/during` })
          .catch((e: unknown) => e)
        await destroying
        expect((error as { code?: string }).code).toBe('RUNTIME_DESTROYING')
      },
      timeout,
    )

    it(
      'stops an in-flight command when the runtime is destroyed',
      async () => {
        const runtime = await create()
        const running = exec(runtime, options.hang(), { timeoutMs: 30_000 })
        await new Promise((resolve) => setTimeout(resolve, 200))
        await runtime.destroy()
        expect((await running).status).toBe('aborted')
      },
      timeout,
    )

    it(
      'ends observe() iterators when the runtime is destroyed',
      async () => {
        const runtime = await create()
        const seen: string[] = []
        const reading = (async () => {
          for await (const event of runtime.observe()) seen.push(event.type)
        })()
        await exec(runtime, options.echo('observed'))
        await runtime.destroy()
        await reading
        expect(seen).toContain('command.finished')
        expect(seen.at(-1)).toBe('runtime.destroyed')
      },
      timeout,
    )

    it(
      'filters observe() by type and stops delivering after on() unsubscribes',
      async () => {
        const runtime = await create()
        try {
          const finished: string[] = []
          const off = runtime.on('command.finished', (event) => finished.push(event.command))
          const iterator = runtime.observe({ types: ['command.finished'] })
          await exec(runtime, options.echo('one'))
          off()
          await exec(runtime, options.echo('two'))
          expect(finished).toHaveLength(1)
          const first = await iterator.next()
          const second = await iterator.next()
          expect(first.value?.type).toBe('command.finished')
          expect(second.value?.type).toBe('command.finished')
          await iterator.return?.()
        } finally {
          await runtime.destroy()
        }
      },
      timeout,
    )

    it(
      'supports await using and leaves no live runtime behind',
      async () => {
        let id = ''
        {
          await using runtime = await create()
          id = runtime.id
          expect(runtimeRegistry.liveIds()).toContain(id)
        }
        expect(runtimeRegistry.liveIds()).not.toContain(id)
      },
      timeout,
    )
  })
}
