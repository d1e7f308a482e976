import { describe, expect, it } from 'vitest'
import { createResourceResolver } from './create-resource-resolver.js'
import { downloadWaiters } from './download-source.js'
import {
  cacheDir,
  makePluginZip,
  rejection,
  server,
  setup,
  sha,
  useResolverFixture,
} from './resource-resolver.test-fixture.js'

useResolverFixture()

const ROUTE = '/plugin/shared-plugin.1.0.0.zip'

/** Waits (bounded) until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 30_000) throw new Error(`gave up waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const requested = (url: string) => until(() => (server.hits.get(url) ?? 0) > 0, `${url} was requested`)
/** The resolver's default size limit, part of a download's key. */
const MAX_BYTES = 256 * 1024 * 1024

describe('concurrent resolution of one download', () => {
  it("downloads once for concurrent callers, and the first caller's abort fails no one else", async () => {
    const first = await setup()
    // A second resolver on the same cache (another runtime being created at the same time).
    const second = createResourceResolver({
      cacheDir,
      env: {},
      sources: { wordpressOrgPlugins: `${server.base}/plugin/` },
    })
    const zip = makePluginZip('shared-plugin', '1.0.0')
    server.routes.set(ROUTE, zip)
    let release = () => {}
    server.holds.set(ROUTE, new Promise<void>((resolve) => (release = resolve)))

    const abort = new AbortController()
    const aborted = first.resolvePlugin('shared-plugin@1.0.0', { signal: abort.signal })
    await requested(ROUTE)
    const waiting = [second.resolvePlugin('shared-plugin@1.0.0'), second.resolvePlugin('shared-plugin@1.0.0')]
    const url = `${server.base}${ROUTE}`
    await until(() => downloadWaiters(url, MAX_BYTES) === 3, 'all three callers wait for the one download')
    abort.abort(new Error('the first create was cancelled'))
    expect((await rejection(aborted)).code).toBe('OPERATION_ABORTED')
    release()

    for (const resolved of await Promise.all(waiting)) {
      expect(resolved).toMatchObject({ slug: 'shared-plugin', version: '1.0.0', sha256: sha(zip) })
    }
    expect(server.hits.get(ROUTE)).toBe(1)
  })

  it('stops the download once every caller has aborted, and a later call downloads afresh', async () => {
    const resolver = await setup()
    server.routes.set(ROUTE, makePluginZip('shared-plugin', '1.0.0'))
    let release = () => {}
    server.holds.set(ROUTE, new Promise<void>((resolve) => (release = resolve)))
    const abort = new AbortController()
    const call = resolver.resolvePlugin('shared-plugin@1.0.0', { signal: abort.signal })
    await requested(ROUTE)
    abort.abort()
    expect((await rejection(call)).code).toBe('OPERATION_ABORTED')
    server.holds.delete(ROUTE)
    release()
    expect(await resolver.resolvePlugin('shared-plugin@1.0.0')).toMatchObject({ origin: 'download' })
    expect(server.hits.get(ROUTE)).toBe(2)
  })
})
