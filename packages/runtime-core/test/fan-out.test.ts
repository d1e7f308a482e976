import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { createRuntime } from '../src/create-runtime.js'
import { isCodeboxError, ValidationError } from '../src/errors.js'
import { fanOut } from '../src/fan-out/fan-out.js'
import { FanOutVariantError } from '../src/fan-out/fan-out-error.js'
import { defaultFanOutConcurrency } from '../src/fan-out/fan-out-options.js'
import type { FanOutEvent } from '../src/fan-out/fan-out-types.js'
import { runtimeRegistry } from '../src/runtime-registry.js'
import { inMemoryReferenceBackend } from './in-memory-reference-backend.js'

// Fan-out is backend-agnostic: these tests run it on the test-only in-memory reference backend (no WordPress, no
// PHP); test/playground/fan-out.test.ts runs it once against the real Playground backend.
const backend = inMemoryReferenceBackend()
const policy = { commands: { allow: ['memory.*'] } }
const work = await mkdtemp(join(tmpdir(), 'codebox-fan-out-'))

/** A snapshot of a runtime holding `base=from-snapshot`. */
async function baseSnapshot() {
  await using source = await createRuntime({ backend, policy, cleanupOnExit: false })
  await source.execute({ command: 'memory.set', args: { key: 'base', value: 'from-snapshot' } })
  return source.snapshot()
}

/** Lets every pending callback, microtask and I/O completion of the in-memory backend run. */
async function settleEventLoop(rounds = 50): Promise<void> {
  for (let round = 0; round < rounds; round++) await new Promise((resolve) => setImmediate(resolve))
}

const liveIds = () => new Set(runtimeRegistry.liveIds())

afterEach(() => {
  vi.unstubAllGlobals()
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('fanOut on the in-memory reference backend', () => {
  it('runs every variant on its own runtime restored from the one snapshot, so no write reaches another', async () => {
    const from = await baseSnapshot()
    const run = fanOut({
      backend,
      from,
      policy,
      concurrency: 3,
      variants: ['a', 'b', 'c'].map((name) => ({ name, input: `value-${name}` })),
      run: async (runtime, { input, variant }) => {
        const before = await runtime.execute({ command: 'memory.get', args: { key: 'mine' } })
        await runtime.execute({ command: 'memory.set', args: { key: 'mine', value: input } })
        const base = await runtime.execute({ command: 'memory.get', args: { key: 'base' } })
        return { variant, runtimeId: runtime.id, before: before.stdout, base: base.stdout }
      },
    })
    const results = await run.results
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled'])
    const values = results.map((result) => (result.status === 'fulfilled' ? result.value : undefined))
    expect(values.map((value) => value?.variant)).toEqual(['a', 'b', 'c'])
    expect(values.every((value) => value?.before === '' && value?.base === 'from-snapshot')).toBe(true)
    expect(new Set(values.map((value) => value?.runtimeId)).size).toBe(3)
  })

  it('never runs more than `concurrency` variants at once, and runs them all', async () => {
    const from = await baseSnapshot()
    let active = 0
    let most = 0
    const entered: string[] = []
    let release!: () => void
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    const run = fanOut({
      backend,
      from,
      policy,
      concurrency: 2,
      variants: ['v1', 'v2', 'v3', 'v4', 'v5'].map((name) => ({ name })),
      run: async (_runtime, { variant }) => {
        active++
        most = Math.max(most, active)
        entered.push(variant)
        await released
        active--
        return variant
      },
    })
    while (entered.length < 2) await settleEventLoop(1)
    // Two runs hold their lanes: however long the loop turns, a third cannot start until one of them returns.
    await settleEventLoop()
    expect(entered).toEqual(['v1', 'v2'])
    release()
    const results = await run.results
    expect(results.map((result) => result.status === 'fulfilled' && result.value)).toEqual([
      'v1',
      'v2',
      'v3',
      'v4',
      'v5',
    ])
    expect(most).toBe(2)
  })

  it('turns a variant that throws into a rejected result naming it, while the others fulfil', async () => {
    const from = await baseSnapshot()
    const run = fanOut({
      backend,
      from,
      policy,
      concurrency: 2,
      variants: [{ name: 'good' }, { name: 'broken' }, { name: 'also-good' }],
      run: async (runtime, { variant }) => {
        if (variant === 'broken') throw new Error('the probe found no greeting')
        await runtime.execute({ command: 'memory.echo', args: { text: variant } })
        return variant
      },
    })
    const [good, broken, alsoGood] = await run.results
    expect(good).toMatchObject({ status: 'fulfilled', variant: 'good', value: 'good' })
    expect(alsoGood).toMatchObject({ status: 'fulfilled', variant: 'also-good', value: 'also-good' })
    expect(broken?.status).toBe('rejected')
    if (broken?.status !== 'rejected') return
    expect(broken.error).toBeInstanceOf(FanOutVariantError)
    expect(isCodeboxError(broken.error)).toBe(true)
    expect(broken.error.code).toBe('FAN_OUT_VARIANT_FAILED')
    expect(broken.error.variant).toBe('broken')
    expect(broken.error.phase).toBe('run')
    expect(broken.error.message).toBe('Variant "broken" failed while running: the probe found no greeting')
    expect(broken.runtimeId).toMatch(/^rt_/)
  })

  it('reports a variant whose runtime cannot be created as failing in the create phase', async () => {
    const from = await baseSnapshot()
    const run = fanOut({
      backend,
      from,
      policy,
      variants: [
        { name: 'plain' },
        // The policy allows no mounts, so this variant's runtime is refused before it boots.
        { name: 'mounted', mounts: [{ source: work, target: '/work' }] },
      ],
      run: async () => 'ran',
    })
    const [plain, mounted] = await run.results
    expect(plain?.status).toBe('fulfilled')
    expect(mounted).toMatchObject({ status: 'rejected', runtimeId: undefined })
    if (mounted?.status !== 'rejected') return
    expect(mounted.error.phase).toBe('create')
    expect(mounted.error.details).toMatchObject({ variant: 'mounted', causeCode: 'POLICY_MOUNT_DENIED' })
  })

  it('cancels every variant on abort: running ones are stopped, queued ones never start, no runtime is left', async () => {
    const from = await baseSnapshot()
    const before = liveIds()
    const controller = new AbortController()
    const entered: string[] = []
    const run = fanOut({
      backend,
      from,
      policy,
      concurrency: 2,
      signal: controller.signal,
      variants: [{ name: 'spins' }, { name: 'ignores-signal' }, { name: 'queued' }],
      run: async (runtime, { variant }) => {
        entered.push(variant)
        if (variant === 'spins') await runtime.execute({ command: 'memory.spin', args: {} })
        // A run that never looks at its signal must not hold the fan-out up.
        else await new Promise(() => {})
        return variant
      },
    })
    while (entered.length < 2) await settleEventLoop(1)
    controller.abort(new Error('the agent picked another plan'))
    const results = await run.results
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected'])
    const errors = results.map((result) => (result.status === 'rejected' ? result.error : undefined))
    expect(errors.map((error) => error?.code)).toEqual([
      'FAN_OUT_VARIANT_CANCELLED',
      'FAN_OUT_VARIANT_CANCELLED',
      'FAN_OUT_VARIANT_CANCELLED',
    ])
    expect(errors.map((error) => error?.phase)).toEqual(['run', 'run', 'queued'])
    expect(errors[2]?.message).toBe(
      'Variant "queued" was cancelled before it started: the agent picked another plan',
    )
    expect(entered).toEqual(['spins', 'ignores-signal'])
    const leaked = [...liveIds()].filter((id) => !before.has(id))
    expect(leaked).toEqual([])
  })

  it('merges every runtime event tagged with its variant, between its started and settled events', async () => {
    const from = await baseSnapshot()
    const run = fanOut({
      backend,
      from,
      policy,
      concurrency: 2,
      variants: [{ name: 'left' }, { name: 'right' }],
      run: async (runtime, { variant }) => {
        await runtime.execute({ command: 'memory.echo', args: { text: `hello from ${variant}` } })
        if (variant === 'right') throw new Error('right gives up')
        return variant
      },
    })
    const live: FanOutEvent[] = []
    for await (const event of run.events()) live.push(event)
    await run.results
    for (const variant of ['left', 'right']) {
      const mine = live.filter((event) => 'variant' in event && event.variant === variant)
      expect(mine[0]?.type).toBe('variant.started')
      expect(mine.at(-1)?.type).toBe('variant.settled')
      const types = mine.map((event) => event.type)
      expect(types).toContain('runtime.created')
      expect(types).toContain('command.finished')
      expect(types.indexOf('runtime.destroyed')).toBeLessThan(types.indexOf('variant.settled'))
      const output = mine.find((event) => event.type === 'command.output')
      expect(output).toMatchObject({ chunk: `hello from ${variant}\n` })
    }
    expect(live.find((event) => event.type === 'variant.settled' && event.variant === 'right')).toMatchObject(
      {
        status: 'rejected',
        error: {
          code: 'FAN_OUT_VARIANT_FAILED',
          message: 'Variant "right" failed while running: right gives up',
        },
      },
    )
    // A reader that starts after the end still gets the whole run.
    const late: FanOutEvent[] = []
    for await (const event of run.events()) late.push(event)
    expect(late).toEqual(live)
  })

  it('writes a bundle per variant, also for a variant that threw', async () => {
    const from = await baseSnapshot()
    const directory = join(work, 'bundles')
    const run = fanOut({
      backend,
      from,
      policy,
      collect: { directory },
      variants: [{ name: 'kept' }, { name: 'thrown', metadata: { attempt: 2 } }],
      run: async (_runtime, { variant }) => {
        if (variant === 'thrown') throw new Error('no luck')
        return variant
      },
    })
    const [kept, thrown] = await run.results
    expect(kept?.bundle?.path).toMatch(/codebox-bundle-/)
    expect(thrown?.bundle?.path).toMatch(/codebox-bundle-/)
    expect(kept?.bundle?.path).not.toBe(thrown?.bundle?.path)
    for (const result of [kept, thrown]) expect((await stat(result!.bundle!.path)).isDirectory()).toBe(true)
  })

  it('keeps credential shapes that a run throws out of the error message and the settled event', async () => {
    const from = await baseSnapshot()
    const token = `ghp_${'a1B2c3D4'.repeat(5)}`
    const run = fanOut({
      backend,
      from,
      policy,
      variants: [{ name: 'leaky' }],
      run: async () => {
        throw new Error(`request failed with token ${token}`)
      },
    })
    const events: FanOutEvent[] = []
    for await (const event of run.events()) events.push(event)
    const [leaky] = await run.results
    expect(leaky?.status === 'rejected' && leaky.error.message).toBe(
      'Variant "leaky" failed while running: request failed with token [REDACTED:github-token]',
    )
    expect(JSON.stringify(events)).not.toContain(token)
  })

  it('rejects bad options before anything starts, naming each field and the fix', async () => {
    const from = await baseSnapshot()
    const before = liveIds()
    const attempt = (options: Record<string, unknown>) => () =>
      fanOut({ backend, from, policy, run: async () => 1, variants: [{ name: 'a' }], ...options })
    expect(attempt({ variants: [{ name: 'same' }, { name: 'same' }] })).toThrow(
      '$.variants[1].name: "same" is already the name of variant 0; give each variant a unique name',
    )
    expect(attempt({ variants: [] })).toThrow('$.variants: give at least one variant')
    expect(attempt({ concurrency: 0 })).toThrow('$.concurrency: must be at least 1')
    expect(attempt({ collect: { path: '/tmp/x.tar.gz', directory: '/tmp' } })).toThrow(
      'give directory, not path: every variant writes its own bundle',
    )
    expect(attempt({ from: 'not a snapshot' })).toThrow(
      '$.from: pass a snapshot from runtime.snapshot() or its bytes',
    )
    try {
      attempt({ variants: [{ name: '' }] })()
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).code).toBe('FAN_OUT_OPTIONS_INVALID')
      expect((error as ValidationError).issues[0]?.path).toBe('$.variants[0].name')
    }
    expect(liveIds()).toEqual(before)
  })

  it('defaults to the cores the platform reports, and to one where it reports none', () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 6 })
    expect(defaultFanOutConcurrency()).toBe(6)
    vi.stubGlobal('navigator', undefined)
    expect(defaultFanOutConcurrency()).toBe(1)
  })

  it('cancels the running variants when its `await using` scope ends early', async () => {
    const from = await baseSnapshot()
    const before = liveIds()
    let started!: () => void
    const running = new Promise<void>((resolve) => {
      started = resolve
    })
    let results: ReturnType<typeof fanOut>['results'] | undefined
    {
      await using run = fanOut({
        backend,
        from,
        policy,
        variants: [{ name: 'forever' }],
        run: async (runtime) => {
          started()
          await runtime.execute({ command: 'memory.spin', args: {} })
        },
      })
      results = run.results
      await running
    }
    const [forever] = await results
    expect(forever?.status === 'rejected' && forever.error.code).toBe('FAN_OUT_VARIANT_CANCELLED')
    expect(liveIds()).toEqual(before)
  })
})
