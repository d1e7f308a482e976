import { describe, expect, it } from 'vitest'
import { SharedWork } from './shared-work.js'

/** A piece of work the test finishes by hand, recording the signal it was given. */
function deferredWork<T>() {
  const runs: { signal: AbortSignal; resolve: (value: T) => void; reject: (error: unknown) => void }[] = []
  const work = (signal: AbortSignal) =>
    new Promise<T>((resolve, reject) => {
      runs.push({ signal, resolve, reject })
    })
  return { runs, work }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('SharedWork', () => {
  it('runs the work once for callers that ask for the same key at the same time', async () => {
    const shared = new SharedWork<string>()
    const { runs, work } = deferredWork<string>()
    const calls = Array.from({ length: 8 }, () => shared.run('k', work))
    await tick()
    expect(runs).toHaveLength(1)
    runs[0]!.resolve('built')
    const results = await Promise.all(calls)
    expect(results.map((result) => result.value)).toEqual(Array(8).fill('built'))
    expect(results.filter((result) => result.via === 'started')).toHaveLength(1)
    expect(shared.inFlight).toBe(0)
  })

  it("rejects only the caller whose signal fired; the others get the work's value", async () => {
    const shared = new SharedWork<string>()
    const { runs, work } = deferredWork<string>()
    const first = new AbortController()
    const aborted = shared.run('k', work, { signal: first.signal })
    const others = [shared.run('k', work, { signal: new AbortController().signal }), shared.run('k', work)]
    await tick()
    first.abort(new Error('the first caller gave up'))
    await expect(aborted).rejects.toThrow('the first caller gave up')
    expect(runs[0]!.signal.aborted).toBe(false)
    runs[0]!.resolve('built')
    expect((await Promise.all(others)).map((result) => result.value)).toEqual(['built', 'built'])
    expect(runs).toHaveLength(1)
  })

  it('aborts the work once every waiter has left, and a later caller starts afresh', async () => {
    const shared = new SharedWork<string>()
    const { runs, work } = deferredWork<string>()
    const a = new AbortController()
    const b = new AbortController()
    const calls = [shared.run('k', work, { signal: a.signal }), shared.run('k', work, { signal: b.signal })]
    await tick()
    a.abort()
    expect(runs[0]!.signal.aborted).toBe(false)
    b.abort()
    expect(runs[0]!.signal.aborted).toBe(true)
    await Promise.allSettled(calls)
    const later = shared.run('k', work)
    await tick()
    expect(runs).toHaveLength(2)
    runs[1]!.resolve('second')
    expect(await later).toEqual({ value: 'second', via: 'started' })
  })

  it("reruns the work for waiters when it failed after its starter's signal fired", async () => {
    const shared = new SharedWork<string>()
    const { runs, work } = deferredWork<string>()
    const starter = new AbortController()
    const first = shared.run('k', work, { signal: starter.signal })
    const waiters = [shared.run('k', work), shared.run('k', work)]
    await tick()
    starter.abort()
    await expect(first).rejects.toThrow()
    // The work used the starter's resources (its PHP worker, say), which went with it.
    runs[0]!.reject(new Error('worker terminated'))
    await tick()
    expect(runs).toHaveLength(2)
    runs[1]!.resolve('rebuilt')
    const results = await Promise.all(waiters)
    expect(results.map((result) => result.value)).toEqual(['rebuilt', 'rebuilt'])
    expect(results.map((result) => result.via).sort()).toEqual(['joined', 'started'])
  })

  it('hands a real failure to every waiter, once', async () => {
    const shared = new SharedWork<string>()
    const { runs, work } = deferredWork<string>()
    const calls = [shared.run('k', work), shared.run('k', work)]
    await tick()
    runs[0]!.reject(new Error('plugin failed to activate'))
    for (const call of calls) await expect(call).rejects.toThrow('plugin failed to activate')
    expect(runs).toHaveLength(1)
  })

  it('keeps a successful value when asked, never a failure', async () => {
    const shared = new SharedWork<string>({ keep: true })
    const { runs, work } = deferredWork<string>()
    const failing = shared.run('k', work)
    await tick()
    runs[0]!.reject(new Error('no'))
    await expect(failing).rejects.toThrow('no')
    const succeeding = shared.run('k', work)
    await tick()
    runs[1]!.resolve('yes')
    await succeeding
    expect(await shared.run('k', work)).toEqual({ value: 'yes', via: 'kept' })
    expect(runs).toHaveLength(2)
    shared.forget('k')
    void shared.run('k', work)
    await tick()
    expect(runs).toHaveLength(3)
  })
})
