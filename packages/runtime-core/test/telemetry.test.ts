import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SpanStatusCode, trace } from '@opentelemetry/api'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RuntimeBackend } from '../src/backend.js'
import { createRuntime } from '../src/create-runtime.js'
import { RUNTIME_RECOVERED } from '../src/runtime-stats.js'
import { SPAN_ATTRIBUTES, SPAN_NAMES } from '../src/runtime-telemetry.js'
import { inMemoryReferenceBackend } from './in-memory-reference-backend.js'

const SECRET = 'telemetry-Secret-7c2e91ab55'
const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
let work: string

beforeAll(async () => {
  trace.setGlobalTracerProvider(provider)
  work = await mkdtemp(join(tmpdir(), 'codebox-telemetry-'))
})

afterAll(async () => {
  trace.disable()
  await provider.shutdown()
  await rm(work, { recursive: true, force: true })
})

const withSecret = {
  policy: { commands: { allow: ['memory.*'] }, secrets: 'connector-scoped' },
  connectors: [{ name: 'crm', secrets: ['CRM_TOKEN'] }],
  env: { CRM_TOKEN: SECRET },
  cleanupOnExit: false,
} as const

const spansNamed = (name: string): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((span) => span.name === name)

/** Everything a span exports, as text: attributes, status, events (recorded exceptions). */
const exported = (span: ReadableSpan): string =>
  JSON.stringify({ attributes: span.attributes, status: span.status, events: span.events })

describe('OpenTelemetry spans', () => {
  it('records create, mount, execute, snapshot, collect and destroy with their attributes and no secret', async () => {
    exporter.reset()
    const runtime = await createRuntime({
      backend: inMemoryReferenceBackend(),
      ...withSecret,
      policy: { ...withSecret.policy, filesystem: { mounts: [{ path: work, modes: ['readonly'] }] } },
    })
    const id = runtime.id
    await runtime.mount({ source: work, target: '/data' })
    const ok = await runtime.execute({ command: 'memory.echo', args: { text: `hello ${SECRET}` } })
    await runtime.execute({ command: 'memory.fail', args: { exitCode: 4 } })
    const snapshot = await runtime.snapshot()
    const bundle = await runtime.collect({ directory: join(work, 'bundles') })
    await runtime.destroy()

    const base = { [SPAN_ATTRIBUTES.backend]: 'in-memory-reference', [SPAN_ATTRIBUTES.runtimeId]: id }
    for (const name of Object.values(SPAN_NAMES)) {
      const [span] = spansNamed(name)
      expect(span, name).toBeDefined()
      expect(span?.attributes, name).toMatchObject(base)
      expect(typeof span?.attributes[SPAN_ATTRIBUTES.durationMs], name).toBe('number')
    }
    const [echo, failed] = spansNamed(SPAN_NAMES.execute)
    expect(echo?.attributes).toMatchObject({
      [SPAN_ATTRIBUTES.command]: 'memory.echo',
      [SPAN_ATTRIBUTES.status]: 'ok',
      [SPAN_ATTRIBUTES.exitCode]: 0,
      [SPAN_ATTRIBUTES.bytes]: ok.stdoutBytes,
    })
    expect(echo?.status.code).toBe(SpanStatusCode.OK)
    expect(failed?.attributes).toMatchObject({
      [SPAN_ATTRIBUTES.status]: 'failed',
      [SPAN_ATTRIBUTES.exitCode]: 4,
    })
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR)
    expect(spansNamed(SPAN_NAMES.snapshot)[0]?.attributes[SPAN_ATTRIBUTES.bytes]).toBe(
      snapshot.bytes.byteLength,
    )
    expect(spansNamed(SPAN_NAMES.collect)[0]?.attributes).toMatchObject({
      [SPAN_ATTRIBUTES.bytes]: bundle.bytes,
      [SPAN_ATTRIBUTES.files]: bundle.files,
    })
    expect(spansNamed(SPAN_NAMES.mount)[0]?.attributes[SPAN_ATTRIBUTES.mountMode]).toBe('readonly')
    // Neither the arguments nor the output (both hold the secret) reach a span.
    for (const span of exporter.getFinishedSpans()) {
      expect(exported(span)).not.toContain(SECRET)
      expect(exported(span)).not.toContain('hello')
    }
  })

  it('records a thrown error as an exception event, redacted, with its code and an error status', async () => {
    exporter.reset()
    const backend: RuntimeBackend = {
      ...inMemoryReferenceBackend(),
      async create(context) {
        throw new Error(`backend could not connect with ${context.secrets.get('CRM_TOKEN')}`)
      },
    }
    await expect(createRuntime({ backend, ...withSecret })).rejects.toMatchObject({
      code: 'RUNTIME_CREATE_FAILED',
    })
    const [span] = spansNamed(SPAN_NAMES.create)
    expect(span?.status.code).toBe(SpanStatusCode.ERROR)
    expect(span?.attributes[SPAN_ATTRIBUTES.code]).toBe('RUNTIME_CREATE_FAILED')
    expect(span?.events.map((event) => event.name)).toContain('exception')
    expect(exported(span as ReadableSpan)).toContain('[REDACTED:CRM_TOKEN]')
    expect(exported(span as ReadableSpan)).not.toContain(SECRET)
  })
})

describe('runtime.stats()', () => {
  it('counts commands by outcome and the restarts a backend reports', async () => {
    const base = inMemoryReferenceBackend()
    const backend: RuntimeBackend = {
      ...base,
      async create(context) {
        const instance = await base.create(context)
        return {
          ...instance,
          async execute(command, args, ctx) {
            if (command !== 'memory.diagnose') return instance.execute(command, args, ctx)
            // What the Playground backend's worker supervisor does after replacing a lost worker.
            context.emit({
              type: 'diagnostic',
              severity: 'warning',
              message: 'recovered',
              code: RUNTIME_RECOVERED,
            })
            return { exitCode: 0 }
          },
        }
      },
    }
    await using runtime = await createRuntime({
      backend,
      policy: { commands: { allow: ['memory.echo', 'memory.fail', 'memory.spin', 'memory.diagnose'] } },
      cleanupOnExit: false,
    })
    expect(runtime.stats()).toEqual({
      commands: 0,
      failures: 0,
      timeouts: 0,
      aborted: 0,
      denied: 0,
      restarts: 0,
    })
    await runtime.execute({ command: 'memory.echo', args: { text: 'a' } })
    await runtime.execute({ command: 'memory.fail', args: {} })
    await runtime.execute({ command: 'memory.spin', args: {}, timeoutMs: 50 })
    await runtime.execute({ command: 'memory.set', args: { key: 'k', value: 'v' } })
    await runtime.execute({ command: 'memory.diagnose', args: { message: 'x' } })
    expect(runtime.stats()).toEqual({
      commands: 5,
      failures: 1,
      timeouts: 1,
      aborted: 0,
      denied: 1,
      restarts: 1,
    })
  })
})
