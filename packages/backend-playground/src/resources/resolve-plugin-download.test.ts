import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createResourceResolver } from './create-resource-resolver.js'
import type { ResourceUnavailableError } from './resource-errors.js'
import {
  cacheDir,
  makePluginZip,
  rejection,
  server,
  setup,
  sha,
  useResolverFixture,
  work,
} from './resource-resolver.test-fixture.js'

useResolverFixture()

describe('resolvePlugin from the cache and the download source', () => {
  it('downloads wp-graphql at its pinned default 2.5.3 once and serves it from the cache afterwards', async () => {
    const resolver = await setup()
    const zip = makePluginZip('wp-graphql', '2.5.3')
    server.routes.set('/plugin/wp-graphql.2.5.3.zip', zip)

    const first = await resolver.resolvePlugin('wp-graphql')
    const second = await resolver.resolvePlugin('wp-graphql@2.5.3')

    expect(first).toMatchObject({ origin: 'download', version: '2.5.3', sha256: sha(zip) })
    expect(first.source).toBe(`${server.base}/plugin/wp-graphql.2.5.3.zip`)
    expect(second).toMatchObject({ origin: 'cache', version: '2.5.3', sha256: sha(zip), path: first.path })
    expect(second.pluginFile).toBe('wp-graphql/wp-graphql.php')
    expect(server.hits.get('/plugin/wp-graphql.2.5.3.zip')).toBe(1)
    const cached = path.join(cacheDir, 'plugins', 'wp-graphql', '2.5.3', 'wp-graphql.2.5.3.zip')
    expect(sha(await readFile(cached))).toBe(sha(zip))
    const lock = JSON.parse(await readFile(path.join(cacheDir, 'codebox.lock.json'), 'utf8'))
    expect(lock).toMatchObject({
      schema: 'codebox/resource-lock/v1',
      entries: { 'plugin:wp-graphql@2.5.3': { sha256: sha(zip), origin: 'download' } },
    })
  })

  it('fails closed when the downloaded zip does not match the pinned sha256, caching nothing', async () => {
    const resolver = await setup()
    const zip = makePluginZip('pinned', '1.0.0')
    server.routes.set('/plugin/pinned.1.0.0.zip', zip)
    const wrong = 'a'.repeat(64)

    const error = await rejection(resolver.resolvePlugin({ slug: 'pinned', version: '1.0.0', sha256: wrong }))

    expect(error.code).toBe('RESOURCE_INTEGRITY_MISMATCH')
    expect(error.details).toMatchObject({ expected: `sha256:${wrong}`, actual: sha(zip) })
    expect(error.message).toContain(`sha256:${wrong}`)
    expect(existsSync(path.join(cacheDir, 'plugins'))).toBe(false)
    expect(existsSync(path.join(cacheDir, 'layers'))).toBe(false)
    expect(existsSync(path.join(cacheDir, 'codebox.lock.json'))).toBe(false)
  })

  it('accepts a pinned sha256 given as sha256:<hex> when it matches', async () => {
    const resolver = await setup()
    const zip = makePluginZip('pinned-ok', '1.0.0')
    server.routes.set('/plugin/pinned-ok.1.0.0.zip', zip)

    const resolved = await resolver.resolvePlugin({ slug: 'pinned-ok', version: '1.0.0', sha256: sha(zip) })

    expect(resolved.sha256).toBe(sha(zip))
  })

  it('detects a changed upstream artifact for the same version through the lock file', async () => {
    const resolver = await setup()
    const original = makePluginZip('drifty', '1.0.0')
    server.routes.set('/plugin/drifty.1.0.0.zip', original)
    await resolver.resolvePlugin({ slug: 'drifty', version: '1.0.0' })
    // A second machine state: the same lock file, an empty cache, and upstream now serves other bytes.
    const changed = makePluginZip('drifty', '1.0.0', { 'drifty/extra.php': '<?php // injected\n' })
    server.routes.set('/plugin/drifty.1.0.0.zip', changed)
    const lockFile = path.join(cacheDir, 'codebox.lock.json')
    const fresh = createResourceResolver({
      cacheDir: path.join(work, 'cache-2'),
      lockFile,
      env: {},
      sources: { wordpressOrgPlugins: `${server.base}/plugin/` },
    })

    const error = await rejection(fresh.resolvePlugin({ slug: 'drifty', version: '1.0.0' }))

    expect(error.code).toBe('RESOURCE_UPSTREAM_CHANGED')
    expect(error.details).toMatchObject({ locked: sha(original), actual: sha(changed) })
    expect(existsSync(path.join(work, 'cache-2', 'plugins'))).toBe(false)

    const accepted = await fresh.resolvePlugin({ slug: 'drifty', version: '1.0.0' }, { updateLock: true })
    expect(accepted.sha256).toBe(sha(changed))
    const lock = JSON.parse(await readFile(lockFile, 'utf8'))
    expect(lock.entries['plugin:drifty@1.0.0'].sha256).toBe(sha(changed))
  })

  it('refuses a cached zip that was modified after the lock file recorded it', async () => {
    const resolver = await setup()
    server.routes.set('/plugin/tamper.1.0.0.zip', makePluginZip('tamper', '1.0.0'))
    await resolver.resolvePlugin({ slug: 'tamper', version: '1.0.0' })
    // Served from the cache once, so what the resolver remembers of the zip is put to the test too.
    expect(await resolver.resolvePlugin({ slug: 'tamper', version: '1.0.0' })).toMatchObject({
      origin: 'cache',
    })
    const cached = path.join(cacheDir, 'plugins', 'tamper', '1.0.0', 'tamper.1.0.0.zip')
    await writeFile(cached, makePluginZip('tamper', '1.0.0', { 'tamper/x.php': '<?php\n' }))

    const error = await rejection(resolver.resolvePlugin({ slug: 'tamper', version: '1.0.0' }))

    expect(error.code).toBe('RESOURCE_INTEGRITY_MISMATCH')
    expect(error.details).toMatchObject({ location: cached })
  })

  it('reports an unknown plugin as unavailable with the HTTP 404 outcome', async () => {
    const resolver = await setup()

    const error = (await rejection(resolver.resolvePlugin('ghost@1.0.0'))) as ResourceUnavailableError

    expect(error.resource).toBe('plugin:ghost@1.0.0')
    expect(error.looked.at(-1)).toEqual({
      place: 'download',
      location: `${server.base}/plugin/ghost.1.0.0.zip`,
      outcome: 'not found (HTTP 404)',
    })
  })

  it('lets two resolvers fill the same cache at the same time without corrupting it', async () => {
    const resolver = await setup()
    const other = createResourceResolver({
      cacheDir,
      env: {},
      sources: { wordpressOrgPlugins: `${server.base}/plugin/` },
    })
    const a = makePluginZip('para-a', '1.0.0')
    const b = makePluginZip('para-b', '2.0.0')
    server.routes.set('/plugin/para-a.1.0.0.zip', a)
    server.routes.set('/plugin/para-b.2.0.0.zip', b)

    const results = await Promise.all([
      resolver.resolvePlugin('para-a@1.0.0'),
      other.resolvePlugin('para-a@1.0.0'),
      resolver.resolvePlugin('para-b@2.0.0'),
      other.resolvePlugin('para-b@2.0.0'),
    ])

    expect(new Set(results.map((r) => r.path)).size).toBe(2)
    const lock = JSON.parse(await readFile(path.join(cacheDir, 'codebox.lock.json'), 'utf8'))
    expect(Object.keys(lock.entries).sort()).toEqual(['plugin:para-a@1.0.0', 'plugin:para-b@2.0.0'])
    expect((await other.cacheList()).map((e) => [e.slug, e.sha256, e.matchesLock])).toEqual([
      ['para-a', sha(a), true],
      ['para-b', sha(b), true],
    ])
  })
})
