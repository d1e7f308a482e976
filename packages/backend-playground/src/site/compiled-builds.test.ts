import { describe, expect, it } from 'vitest'
import { type CompiledBuild, CompiledBuilds } from './compiled-builds.js'

/**
 * Unit tests of the build-once bookkeeping only, with an in-memory stand-in for the layer on disk and its build (no
 * PHP): `compiled-core.test.ts` and `compiled-plugins.test.ts` build real layers with PHP.
 */
function inMemoryLayer(options: { fail?: boolean } = {}) {
  let onDisk: string | undefined
  const builds: AbortSignal[] = []
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const kind: CompiledBuild<string> = {
    read: () => onDisk,
    async build(signal) {
      builds.push(signal)
      await gate
      if (options.fail) throw new Error('compiler said no')
      onDisk = 'layer'
      return (ms) => `built in ${ms} ms`
    },
    failure: (error) => `could not build (${(error as Error).message})`,
  }
  return { kind, builds, release, put: (value: string) => (onDisk = value) }
}

describe('CompiledBuilds (in-memory stand-in, no PHP)', () => {
  it('builds a directory once for concurrent callers, and reports it once', async () => {
    const builds = new CompiledBuilds<string>()
    const layer = inMemoryLayer()
    const messages: string[] = []
    const calls = Array.from({ length: 8 }, () =>
      builds.ensure('/dir', layer.kind, { progress: (message) => messages.push(message) }),
    )
    await new Promise((resolve) => setImmediate(resolve))
    layer.release()
    expect(await Promise.all(calls)).toEqual(Array(8).fill('layer'))
    expect(layer.builds).toHaveLength(1)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatch(/^built in \d+ ms$/)
  })

  it('reads a finished layer without building', async () => {
    const builds = new CompiledBuilds<string>()
    const layer = inMemoryLayer()
    layer.put('from disk')
    expect(await builds.ensure('/dir', layer.kind)).toBe('from disk')
    expect(layer.builds).toHaveLength(0)
  })

  it('answers undefined after a failed build, says why, and does not build that directory again', async () => {
    const builds = new CompiledBuilds<string>()
    const layer = inMemoryLayer({ fail: true })
    const messages: string[] = []
    layer.release()
    expect(
      await builds.ensure('/dir', layer.kind, { progress: (message) => messages.push(message) }),
    ).toBeUndefined()
    expect(await builds.ensure('/dir', layer.kind)).toBeUndefined()
    expect(layer.builds).toHaveLength(1)
    expect(messages).toEqual(['could not build (compiler said no)'])
    // Another directory is still built.
    const other = inMemoryLayer()
    other.release()
    expect(await builds.ensure('/other', other.kind)).toBe('layer')
  })

  it('rejects a caller whose signal fires with its reason; the build goes on for the others', async () => {
    const builds = new CompiledBuilds<string>()
    const layer = inMemoryLayer()
    const impatient = new AbortController()
    const first = builds.ensure('/dir', layer.kind, { signal: impatient.signal })
    const second = builds.ensure('/dir', layer.kind)
    await new Promise((resolve) => setImmediate(resolve))
    impatient.abort(new Error('caller gave up'))
    await expect(first).rejects.toThrow('caller gave up')
    layer.release()
    expect(await second).toBe('layer')
    expect(layer.builds).toHaveLength(1)
    expect(layer.builds[0]!.aborted).toBe(false)
  })
})
