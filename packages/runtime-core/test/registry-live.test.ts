import { describe, expect, it } from 'vitest'
import { createRuntime } from '../src/create-runtime.js'
import { runtimeRegistry } from '../src/runtime-registry.js'
import { inMemoryReferenceBackend } from './in-memory-reference-backend.js'

// TEST-ONLY in-memory reference backend: the registry does not depend on what a backend runs.
const backend = inMemoryReferenceBackend()

describe('runtimeRegistry.live()', () => {
  it('lists each runtime not yet destroyed with the stack of the createRuntime() call that made it', async () => {
    const runtime = await createRuntime({ backend })
    const record = runtimeRegistry.live().find((entry) => entry.id === runtime.id)
    expect(record?.state).toBe('ready')
    expect(record?.createdAt).toContain('registry-live.test.ts')
    await record?.destroy()
    expect(runtime.state).toBe('destroyed')
    expect(runtimeRegistry.live().map((entry) => entry.id)).not.toContain(runtime.id)
  })

  it('also lists runtimes created without cleanup on exit, so a leak check sees them', async () => {
    const runtime = await createRuntime({ backend, cleanupOnExit: false })
    expect(runtimeRegistry.live().map((entry) => entry.id)).toContain(runtime.id)
    await runtime.destroy()
    expect(runtimeRegistry.liveIds()).not.toContain(runtime.id)
  })
})
