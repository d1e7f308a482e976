import { readFile, realpath } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { z } from 'zod'
import type { BackendInstance, RuntimeBackend } from '../src/backend.js'
import { defineCommand } from '../src/commands.js'

/**
 * TEST-ONLY in-memory reference backend. It runs no WordPress and no PHP: it exists to prove that runtime-core's
 * contract and conformance suite hold for a backend that is not Playground. Its state is a key/value map.
 */
const commands = {
  'memory.echo': defineCommand<z.ZodObject<{ text: z.ZodString }>, { text: string }>({
    name: 'memory.echo',
    description: 'Prints text to stdout.',
    args: z.strictObject({ text: z.string() }),
  }),
  'memory.fail': defineCommand<z.ZodObject<{ exitCode: z.ZodDefault<z.ZodNumber> }>, undefined>({
    name: 'memory.fail',
    description: 'Exits with a non-zero code.',
    args: z.strictObject({ exitCode: z.number().int().min(1).default(3) }),
  }),
  'memory.spin': defineCommand<z.ZodObject<Record<string, never>>, undefined>({
    name: 'memory.spin',
    description: 'Runs until stopped.',
    args: z.strictObject({}),
  }),
  'memory.set': defineCommand<z.ZodObject<{ key: z.ZodString; value: z.ZodString }>, undefined>({
    name: 'memory.set',
    description: 'Stores a value.',
    args: z.strictObject({ key: z.string(), value: z.string() }),
    writes: true,
  }),
  'memory.get': defineCommand<z.ZodObject<{ key: z.ZodString }>, string | null>({
    name: 'memory.get',
    description: 'Prints a stored value.',
    args: z.strictObject({ key: z.string() }),
  }),
  'memory.diagnose': defineCommand<
    z.ZodObject<{ message: z.ZodString; exitCode: z.ZodDefault<z.ZodNumber> }>,
    undefined
  >({
    name: 'memory.diagnose',
    description:
      'Raises a warning diagnostic through the create context (as a backend reporting PHP errors does) and exits.',
    args: z.strictObject({ message: z.string(), exitCode: z.number().int().min(0).default(0) }),
  }),
  'memory.mail': defineCommand<
    z.ZodObject<{ to: z.ZodString; subject: z.ZodString; body: z.ZodString }>,
    undefined
  >({
    name: 'memory.mail',
    description:
      'Sends one message: reported as a mail.captured event through the create context, as a backend whose application sends mail does.',
    args: z.strictObject({ to: z.string(), subject: z.string(), body: z.string() }),
  }),
  'memory.read-file': defineCommand<z.ZodObject<{ path: z.ZodString }>, undefined>({
    name: 'memory.read-file',
    description: 'Prints a file from a mount.',
    args: z.strictObject({ path: z.string() }),
  }),
}

/** Creates the test-only in-memory reference backend. */
export function inMemoryReferenceBackend(): RuntimeBackend<typeof commands> {
  return {
    name: 'in-memory-reference',
    commands,
    async create(context) {
      let values = new Map<string, string>()
      if (context.from)
        values = new Map(JSON.parse(new TextDecoder().decode(context.from.bytes)) as [string, string][])
      const mounts = new Map<string, { source: string; target: string }>()
      let nextMount = 0
      const instance: BackendInstance = {
        provenance: { backend: { name: 'in-memory-reference', version: '0.0.0' }, components: [] },
        enforcement: {
          network: { status: 'not-applicable', detail: 'the in-memory backend has no network' },
          filesystem: { status: 'enforced', detail: 'mounts are checked by runtime-core' },
        },
        async mount(spec) {
          const source = await realpath(spec.source)
          context.assertMountAllowed(source, spec.mode)
          const id = `m${nextMount++}`
          mounts.set(id, { source, target: spec.target })
          return {
            id,
            source,
            target: spec.target,
            mode: spec.mode,
            unmount: async () => void mounts.delete(id),
          }
        },
        async execute(command, rawArgs, ctx) {
          const args = rawArgs as Record<string, string | number>
          switch (command) {
            case 'memory.echo':
              ctx.output('stdout', `${args.text}\n`)
              return { exitCode: 0, value: { text: args.text } }
            case 'memory.fail':
              return { exitCode: Number(args.exitCode), stderr: 'failed on purpose\n' }
            case 'memory.spin':
              await new Promise((_, reject) => {
                ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true })
              })
              return { exitCode: 0 }
            case 'memory.set':
              values.set(String(args.key), String(args.value))
              return { exitCode: 0 }
            case 'memory.get':
              return {
                exitCode: 0,
                stdout: values.get(String(args.key)) ?? '',
                value: values.get(String(args.key)) ?? null,
              }
            case 'memory.diagnose':
              context.emit({
                type: 'diagnostic',
                severity: 'warning',
                message: String(args.message),
                code: 'MEMORY_WARNING',
                phase: 'runtime',
              })
              return { exitCode: Number(args.exitCode) }
            case 'memory.mail':
              context.emit({
                type: 'mail.captured',
                from: null,
                to: [String(args.to)],
                cc: [],
                bcc: [],
                subject: String(args.subject),
                headers: [],
                body: {
                  text: String(args.body),
                  totalBytes: new TextEncoder().encode(String(args.body)).byteLength,
                  truncated: false,
                  omittedBytes: 0,
                },
                attachments: [],
              })
              return { exitCode: 0 }
            case 'memory.read-file': {
              const path = String(args.path)
              for (const mount of mounts.values()) {
                if (path.startsWith(`${mount.target}/`)) {
                  return {
                    exitCode: 0,
                    stdout: await readFile(join(mount.source, relative(mount.target, path)), 'utf8'),
                  }
                }
              }
              return { exitCode: 1, stderr: `no such file: ${path}\n` }
            }
            default:
              return { exitCode: 127, message: `unknown command ${command}` }
          }
        },
        async snapshot() {
          return {
            format: 'codebox/in-memory-reference-snapshot/v1',
            backend: 'in-memory-reference',
            id: `snap-${Date.now()}`,
            createdAt: new Date().toISOString(),
            bytes: new TextEncoder().encode(JSON.stringify([...values])),
          }
        },
        async collect() {
          return { logs: { 'boot.log': 'in-memory reference backend booted\n' } }
        },
        async destroy() {
          mounts.clear()
        },
      }
      return instance
    },
  }
}
