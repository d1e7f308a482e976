import { describe, expect, it } from 'vitest'
import type { RuntimeBackend } from '../src/backend.js'
import { createRuntime } from '../src/create-runtime.js'
import { inMemoryReferenceBackend } from './in-memory-reference-backend.js'

const SECRET = 'conn-Secret-4b1d9e7f20-a8c3'

/** The reference backend whose `memory.echo` prints the connector secret in pieces, one output chunk each. */
function chunkyBackend(pieces: (secret: string) => string[]): RuntimeBackend {
  const base = inMemoryReferenceBackend()
  return {
    ...base,
    async create(context) {
      const secret = context.secrets.get('CRM_TOKEN') ?? ''
      const instance = await base.create(context)
      return {
        ...instance,
        async execute(_command, _args, ctx) {
          for (const piece of pieces(secret)) ctx.output('stdout', piece)
          return { exitCode: 0 }
        },
      }
    },
  }
}

const withSecret = {
  policy: { commands: { allow: ['memory.*'] }, secrets: 'connector-scoped' },
  connectors: [{ name: 'crm', secrets: ['CRM_TOKEN'] }],
  env: { CRM_TOKEN: SECRET },
  cleanupOnExit: false,
} as const

/** Every slice of the secret of `length` characters, in both cases. */
const slices = (length: number): string[] =>
  Array.from({ length: SECRET.length - length + 1 }, (_, i) => SECRET.slice(i, i + length)).flatMap((s) => [
    s,
    s.toUpperCase(),
  ])

describe('command output events', () => {
  it('a secret printed across several output chunks is redacted in the events as if printed at once', async () => {
    const backend = chunkyBackend((secret) => [
      `token: ${secret.slice(0, 5)}`,
      secret.slice(5, 9),
      `${secret.slice(9)}\nagain: ${secret.toUpperCase().slice(0, 14)}\n`,
      `${secret.toUpperCase().slice(14)} done\n`,
    ])
    const runtime = await createRuntime({ backend, ...withSecret })
    try {
      const chunks: string[] = []
      runtime.on('command.output', (event) => chunks.push(event.chunk))
      const result = await runtime.execute({ command: 'memory.echo', args: { text: 'x' } })
      const joined = chunks.join('')
      expect(joined).toBe('token: [REDACTED:CRM_TOKEN]\nagain: [REDACTED:CRM_TOKEN] done\n')
      expect(result.stdout).toBe(joined)
      for (const chunk of chunks) for (const slice of slices(4)) expect(chunk).not.toContain(slice)
    } finally {
      await runtime.destroy()
    }
  })

  it('output that holds no secret streams through unchanged, holding back at most what could start a secret', async () => {
    const backend = chunkyBackend(() => ['first line\n', 'second line\n', 'third: xyz'])
    const runtime = await createRuntime({ backend, ...withSecret })
    try {
      const chunks: string[] = []
      runtime.on('command.output', (event) => chunks.push(event.chunk))
      await runtime.execute({ command: 'memory.echo', args: { text: 'x' } })
      expect(chunks.join('')).toBe('first line\nsecond line\nthird: xyz')
      // Each chunk goes out when it comes, less a tail that could begin the secret ('e' could: it is in it).
      expect(chunks).toEqual(['first lin', 'e\nsecond lin', 'e\nthird: xyz'])
    } finally {
      await runtime.destroy()
    }
  })
})
