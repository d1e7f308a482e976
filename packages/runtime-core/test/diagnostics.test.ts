import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRuntime } from '../src/create-runtime.js'
import { inMemoryReferenceBackend } from './in-memory-reference-backend.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'codebox-diagnostics-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('diagnostics raised by a command', () => {
  it('name the command, its execution index and its exit code, in the runtime and in the bundle', async () => {
    const runtime = await createRuntime({
      backend: inMemoryReferenceBackend(),
      policy: { commands: { allow: ['memory.*'] } },
      cleanupOnExit: false,
    })
    try {
      await runtime.execute({ command: 'memory.echo', args: { text: 'first' } })
      await runtime.execute({ command: 'memory.diagnose', args: { message: 'deprecated call', exitCode: 3 } })
      await runtime.execute({ command: 'memory.diagnose', args: { message: 'all good' } })
      const expected = [
        expect.objectContaining({
          name: 'MEMORY_WARNING',
          command: 'memory.diagnose',
          message: 'deprecated call',
          executionIndex: 1,
          exitCode: 3,
        }),
        expect.objectContaining({ message: 'all good', executionIndex: 2, exitCode: 0 }),
      ]
      expect(runtime.diagnostics).toEqual(expected)
      const bundle = await runtime.collect({ directory: dir })
      const document = JSON.parse(await readFile(join(bundle.path, 'diagnostics.json'), 'utf8'))
      expect(document.diagnostics).toEqual(expected)
    } finally {
      await runtime.destroy()
    }
  })

  it('are not pinned on a command when several run at once and the backend does not say which', async () => {
    const runtime = await createRuntime({
      backend: inMemoryReferenceBackend(),
      policy: { commands: { allow: ['memory.*'] } },
      cleanupOnExit: false,
    })
    try {
      const controller = new AbortController()
      const spinning = runtime.execute({ command: 'memory.spin', args: {}, signal: controller.signal })
      await runtime.execute({ command: 'memory.diagnose', args: { message: 'whose?' } })
      controller.abort()
      await spinning
      expect(runtime.diagnostics).toEqual([
        expect.objectContaining({ message: 'whose?', executionIndex: null, exitCode: null }),
      ])
    } finally {
      await runtime.destroy()
    }
  })
})
