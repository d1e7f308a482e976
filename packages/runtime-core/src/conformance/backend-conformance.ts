import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyBundle } from '@codebox/artifacts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RuntimeBackend } from '../backend.js'
import type { CommandCatalogue } from '../commands.js'
import { createRuntime } from '../create-runtime.js'
import { isCodeboxError } from '../errors.js'
import type { RuntimeEvent } from '../events.js'
import type { CommandResult, CreateRuntimeOptions, Runtime } from '../runtime.js'
import { runtimeRegistry } from '../runtime-registry.js'

/** A command invocation the suite runs. */
export interface ConformanceCall {
  readonly command: string
  readonly args: Record<string, unknown>
}

/** What a backend tells the conformance suite about itself. */
export interface BackendConformanceOptions<C extends CommandCatalogue> {
  /** Shown in the suite's title. */
  readonly name: string
  /** Returns a fresh backend instance for each runtime. */
  readonly createBackend: () => RuntimeBackend<C>
  /** A command that exits 0 and prints `text` to stdout. */
  readonly echo: (text: string) => ConformanceCall
  /** The same as `echo` but as recipe-style `key=value` strings. */
  readonly echoKeyValue: (text: string) => readonly string[]
  /** A command that exits non-zero. */
  readonly fail: () => ConformanceCall
  /** A command that never finishes on its own (a busy loop). */
  readonly hang: () => ConformanceCall
  /** A command whose arguments are invalid, and the JSON path the error must name. */
  readonly invalidArgs: () => ConformanceCall & { readonly path: string }
  /** Writes and reads a value of state kept inside the runtime, to prove snapshots and denied commands. */
  readonly state: {
    readonly write: (value: string) => ConformanceCall
    readonly read: () => ConformanceCall
    readonly valueOf: (result: CommandResult) => string
  }
  /** Reads a file inside the runtime, to prove mounts. */
  readonly readFile: (path: string) => ConformanceCall
  /** Directory inside the runtime where the suite may mount host directories. */
  readonly mountRoot: string
  /** Extra createRuntime options (for example a longer timeout). */
  readonly createOptions?: Partial<CreateRuntimeOptions<C>>
  /** Timeout for each test in ms. Default 60 000. */
  readonly testTimeoutMs?: number
}

/** Everything allowed: every command, and mounts of any host path in either mode. */
const allowAll = {
  commands: { allow: ['*'] },
  filesystem: { mounts: [{ path: '/', modes: ['readonly', 'readwrite'] }] },
}

/**
 * The runtime contract, as a vitest suite any backend can run. It creates real runtimes on the backend and checks
 * lifecycle, commands, policy, events, redaction, mounts, snapshots and cleanup.
 *
 * @example
 * // my-backend.conformance.test.ts
 * import { describeBackendConformance } from '@codebox/runtime-core/conformance'
 * describeBackendConformance({ name: 'my-backend', createBackend: () => myBackend(), ... })
 */
export function describeBackendConformance<C extends CommandCatalogue>(
  options: BackendConformanceOptions<C>,
): void {
  const timeout = options.testTimeoutMs ?? 60_000
  const create = (extra: Partial<CreateRuntimeOptions<C>> = {}): Promise<Runtime<C>> =>
    createRuntime<C>({
      backend: options.createBackend(),
      policy: allowAll,
      ...options.createOptions,
      ...extra,
    } as CreateRuntimeOptions<C>)
  const exec = (
    runtime: Runtime<C>,
    call: ConformanceCall,
    more: Record<string, unknown> = {},
  ): Promise<CommandResult> =>
    (runtime as unknown as Runtime).execute({ command: call.command, args: call.args, ...more } as Parameters<
      Runtime['execute']
    >[0])

  describe(`runtime contract: ${options.name}`, () => {
    let shared: Runtime<C>
    let hostDir: string

    beforeAll(async () => {
      shared = await create()
      hostDir = await realpath(await mkdtemp(join(tmpdir(), 'codebox-conformance-')))
      await writeFile(join(hostDir, 'hello.txt'), 'hello from the host\n')
    }, timeout * 2)

    afterAll(async () => {
      await shared?.destroy()
      if (hostDir) await rm(hostDir, { recursive: true, force: true })
    }, timeout)

    describe('create', () => {
      it('returns a ready runtime that lists its backend commands', () => {
        expect(shared.state).toBe('ready')
        expect(shared.id).toMatch(/^rt_/)
        expect(shared.commands.length).toBeGreaterThan(0)
        expect(shared.provenance.backend.name).toBe(shared.backend)
      })

      it('emits runtime.created, visible to a replaying observer', async () => {
        const iterator = shared.observe({ replay: true, types: ['runtime.created'] })
        const first = await iterator.next()
        await iterator.return?.()
        expect(first.value?.type).toBe('runtime.created')
        expect(first.value?.runtimeId).toBe(shared.id)
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

    describe('execute', () => {
      it(
        'returns a frozen ok result with stdout, exit code and duration',
        async () => {
          const result = await exec(shared, options.echo('conformance-ok'))
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
          const off = shared.on('*', (event) => events.push(event))
          const result = await exec(shared, options.echo('ordered-events'))
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
          const result = await exec(shared, options.fail())
          expect(result.status).toBe('failed')
          expect(result.exitCode).not.toBe(0)
          const error = await exec(shared, options.fail(), { throwOnFailure: true }).catch((e: unknown) => e)
          expect((error as { code?: string }).code).toBe('COMMAND_FAILED')
          expect((error as { result?: CommandResult }).result?.status).toBe('failed')
        },
        timeout,
      )

      it('throws COMMAND_UNKNOWN for a command outside the catalogue', async () => {
        const error = await exec(shared, { command: 'no.such-command', args: {} }).catch((e: unknown) => e)
        expect((error as { code?: string }).code).toBe('COMMAND_UNKNOWN')
      })

      it('throws COMMAND_INVALID_ARGS naming the bad field', async () => {
        const call = options.invalidArgs()
        const error = await exec(shared, call).catch((e: unknown) => e)
        expect((error as { code?: string }).code).toBe('COMMAND_INVALID_ARGS')
        expect((error as { issues: { path: string }[] }).issues.map((issue) => issue.path)).toContain(
          call.path,
        )
      })

      it(
        'parses recipe-style key=value arguments into the same schema',
        async () => {
          const call = options.echo('kv-args')
          const result = await shared.execute({
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
          const approving = await create({ policy, onApproval: () => true } as Partial<
            CreateRuntimeOptions<C>
          >)
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

    describe('mounts', () => {
      it(
        'mounts a host directory readonly and returns its own unmount',
        async () => {
          const target = `${options.mountRoot}/conformance-ro`
          const unmount = await shared.mount({ source: hostDir, target, mode: 'readonly' })
          const read = await exec(shared, options.readFile(`${target}/hello.txt`))
          expect(read.stdout).toContain('hello from the host')
          expect(unmount.mount.target).toBe(target)
          await unmount()
          await unmount()
        },
        timeout,
      )

      it(
        'asks for approval of a readwrite mount only when the policy puts writes under approval',
        async () => {
          const plain = await shared.mount({
            source: hostDir,
            target: `${options.mountRoot}/rw-plain`,
            mode: 'readwrite',
          })
          await plain()
          const requests: string[] = []
          const guarded = await create({
            policy: { ...allowAll, approvals: { mode: 'on-write' } },
            onApproval: (request) => {
              requests.push(request.description)
              return false
            },
          } as Partial<CreateRuntimeOptions<C>>)
          try {
            const refused = await guarded
              .mount({ source: hostDir, target: `${options.mountRoot}/rw-guarded`, mode: 'readwrite' })
              .catch((e: unknown) => e)
            expect((refused as { code?: string }).code).toBe('APPROVAL_DENIED')
            expect(requests).toHaveLength(1)
            await (
              await guarded.mount({
                source: hostDir,
                target: `${options.mountRoot}/ro-guarded`,
                mode: 'readonly',
              })
            )()
            expect(requests).toHaveLength(1)
          } finally {
            await guarded.destroy()
          }
        },
        timeout,
      )

      it(
        'refuses targets with ".." and sources outside the policy',
        async () => {
          const dots = await shared
            .mount({ source: hostDir, target: `${options.mountRoot}/../../etc` })
            .catch((e: unknown) => e)
          expect((dots as { code?: string }).code).toBe('MOUNT_INVALID')
          const runtime = await create({
            policy: {
              ...allowAll,
              filesystem: { mounts: [{ path: join(hostDir, 'elsewhere'), modes: ['readonly'] }] },
            },
          } as Partial<CreateRuntimeOptions<C>>)
          try {
            const denied = await runtime
              .mount({ source: hostDir, target: `${options.mountRoot}/x` })
              .catch((e: unknown) => e)
            expect((denied as { code?: string }).code).toBe('POLICY_MOUNT_DENIED')
          } finally {
            await runtime.destroy()
          }
        },
        timeout,
      )
    })

    describe('snapshot', () => {
      it(
        'restores a snapshot into a new runtime with the same state',
        async () => {
          const value = `snap-${Date.now()}`
          expect((await exec(shared, options.state.write(value))).status).toBe('ok')
          const snapshot = await shared.snapshot()
          expect(snapshot.bytes.byteLength).toBeGreaterThan(0)
          const child = await create({ from: snapshot })
          try {
            expect(options.state.valueOf(await exec(child, options.state.read()))).toBe(value)
            await exec(child, options.state.write('child-only'))
            expect(options.state.valueOf(await exec(shared, options.state.read()))).toBe(value)
          } finally {
            await child.destroy()
          }
        },
        timeout * 2,
      )
    })

    describe('collect', () => {
      it(
        'writes a bundle that verifies and records every command',
        async () => {
          const runtime = await create()
          const out = await mkdtemp(join(tmpdir(), 'codebox-conformance-bundle-'))
          try {
            await exec(runtime, options.echo('bundled'))
            await exec(runtime, options.fail())
            const bundle = await runtime.collect({ directory: out })
            const report = await verifyBundle(bundle.path)
            expect(report.problems).toEqual([])
            expect(report.ok).toBe(true)
            const lines = (await readFile(join(bundle.path, 'commands.jsonl'), 'utf8')).trim().split('\n')
            expect(lines.map((line) => JSON.parse(line).status)).toEqual(['ok', 'failed'])
          } finally {
            await runtime.destroy()
            await rm(out, { recursive: true, force: true })
          }
        },
        timeout,
      )
    })

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
              source: hostDir,
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
              source: hostDir,
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
                source: hostDir,
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
            () => runtime.mount({ source: hostDir, target: `${options.mountRoot}/late` }),
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
            .mount({ source: hostDir, target: `${options.mountRoot}/during` })
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
  })
}
