import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CommandCatalogue } from '../commands.js'
import { isCodeboxError } from '../errors.js'
import type { RuntimeEvent } from '../events.js'
import type { CreateRuntimeOptions } from '../runtime.js'
import type { ConformanceContext } from './conformance-context.js'

/** Events, logging and errors: one typed event per lifecycle step, a silent default logger, stable error codes. */
export function describeEventConformance<C extends CommandCatalogue>(ctx: ConformanceContext<C>): void {
  const { options, timeout, create, exec } = ctx
  describe('events', () => {
    it(
      'emits one typed event per lifecycle step, in order: mount, command, snapshot, collect, destroy',
      async () => {
        const runtime = await create()
        const out = await mkdtemp(join(tmpdir(), 'codebox-conformance-events-'))
        const seen: RuntimeEvent[] = []
        const stop = runtime.on('*', (event) => seen.push(event))
        try {
          const unmount = await runtime.mount({
            source: ctx.hostDir,
            target: `${options.mountRoot}/events`,
            mode: 'readonly',
          })
          await exec(runtime, options.echo('evented'))
          const snapshot = await runtime.snapshot()
          const bundle = await runtime.collect({ directory: out })
          await unmount()
          await runtime.destroy()
          const types = seen.map((event) => event.type)
          const order = [
            'mount.added',
            'command.started',
            'command.finished',
            'snapshot.created',
            'artifacts.collected',
            'mount.removed',
            'runtime.destroyed',
          ]
          expect(order.map((type) => types.indexOf(type as RuntimeEvent['type']))).toEqual(
            [...order.map((type) => types.indexOf(type as RuntimeEvent['type']))].sort((a, b) => a - b),
          )
          expect(order.every((type) => types.includes(type as RuntimeEvent['type']))).toBe(true)
          expect(seen.find((event) => event.type === 'mount.added')).toMatchObject({
            source: ctx.hostDir,
            target: `${options.mountRoot}/events`,
            mode: 'readonly',
          })
          expect(seen.find((event) => event.type === 'snapshot.created')).toMatchObject({
            snapshotId: snapshot.id,
            sizeBytes: snapshot.bytes.byteLength,
          })
          expect(seen.find((event) => event.type === 'artifacts.collected')).toMatchObject({
            path: bundle.path,
            bundleId: bundle.bundleId,
          })
          // The bundle's inputs list the mount made with runtime.mount(), not only createRuntime's.
          const manifest = JSON.parse(await readFile(join(bundle.path, 'manifest.json'), 'utf8'))
          expect(manifest.inputs.mounts).toContainEqual(
            expect.objectContaining({
              source: ctx.hostDir,
              target: `${options.mountRoot}/events`,
              mode: 'readonly',
              added: 'runtime',
            }),
          )
          for (const event of seen) {
            expect(event.runtimeId).toBe(runtime.id)
            expect(typeof event.time).toBe('string')
          }
        } finally {
          stop()
          await runtime.destroy()
          await rm(out, { recursive: true, force: true })
        }
      },
      timeout,
    )

    it(
      'writes nothing to the console by default and everything to a logger that is given',
      async () => {
        const consoleCalls: unknown[][] = []
        const methods = ['log', 'info', 'warn', 'error', 'debug'] as const
        const originals = methods.map((name) => console[name])
        for (const name of methods) console[name] = (...args: unknown[]) => void consoleCalls.push(args)
        const logged: unknown[][] = []
        try {
          const quiet = await create()
          await exec(quiet, options.echo('quiet'))
          await exec(quiet, options.fail())
          await quiet.destroy()
          const loud = await create({
            logger: {
              debug: (...args: unknown[]) => void logged.push(args),
              info: (...args: unknown[]) => void logged.push(args),
              warn: (...args: unknown[]) => void logged.push(args),
              error: (...args: unknown[]) => void logged.push(args),
            },
          } as Partial<CreateRuntimeOptions<C>>)
          await exec(loud, options.echo('loud'))
          await loud.destroy()
        } finally {
          methods.forEach((name, index) => {
            console[name] = originals[index] as (typeof console)[typeof name]
          })
        }
        expect(consoleCalls).toEqual([])
        expect(logged.length).toBeGreaterThan(0)
      },
      timeout,
    )

    it('gives errors a stable code and a JSON form, recognised by isCodeboxError across package copies', async () => {
      const runtime = await create()
      await runtime.destroy()
      const error = await exec(runtime, options.echo('late')).catch((caught: unknown) => caught)
      expect(isCodeboxError(error)).toBe(true)
      const json = (error as { toJSON(): Record<string, unknown> }).toJSON()
      expect(json).toMatchObject({ code: 'RUNTIME_DESTROYED', message: expect.any(String) })
      expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'RUNTIME_DESTROYED' })
      // isCodeboxError checks a registry-wide brand and the code, not the class: an error from another copy of
      // the package (another version, another bundle) still counts; a plain error or a bare object does not.
      const foreign = Object.assign(new Error('from another copy'), { code: 'SOMETHING' })
      Object.defineProperty(foreign, Symbol.for('codebox.error'), { value: true })
      expect(isCodeboxError(foreign)).toBe(true)
      expect(isCodeboxError(new Error('plain'))).toBe(false)
      expect(isCodeboxError({ code: 'RUNTIME_DESTROYED' })).toBe(false)
    })
  })
}
