import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ResourceUnavailableError } from './resource-errors.js'
import {
  cacheDir,
  closedPort,
  makePluginZip,
  pluginMain,
  rejection,
  server,
  setup,
  sha,
  useResolverFixture,
  work,
} from './resource-resolver.test-fixture.js'

useResolverFixture()

describe('offline behaviour', () => {
  it('fails within a second against a closed port with one error listing every place looked', async () => {
    const port = await closedPort()
    const resolver = await setup({ sources: { wordpressOrgPlugins: `http://127.0.0.1:${port}/plugin/` } })

    const started = performance.now()
    const error = (await rejection(resolver.resolvePlugin('wp-graphql'))) as ResourceUnavailableError
    const elapsedMs = performance.now() - started

    expect(elapsedMs).toBeLessThan(1000)
    expect(error.code).toBe('RESOURCE_UNAVAILABLE')
    expect(error.details).toMatchObject({ resource: 'plugin:wp-graphql@2.5.3' })
    expect(error.looked.map((l) => l.place)).toEqual(['local', 'cache', 'download'])
    expect(error.looked[1]?.location).toBe(
      path.join(cacheDir, 'plugins', 'wp-graphql', '2.5.3', 'wp-graphql.2.5.3.zip'),
    )
    expect(error.looked[2]?.outcome).toContain('ECONNREFUSED')
    for (const hint of [
      'codebox cache add',
      'cacheAdd(',
      "source: '/path/to/",
      'CODEBOX_CACHE_DIR',
      'network',
    ]) {
      expect(error.message).toContain(hint)
    }
  })

  it('never calls fetch when downloads are disabled', async () => {
    let calls = 0
    const countingFetch = (async () => {
      calls++
      throw new Error('fetch must not be called')
    }) as unknown as typeof fetch
    const resolver = await setup({ download: false, fetch: countingFetch })

    const error = (await rejection(resolver.resolvePlugin('wp-graphql'))) as ResourceUnavailableError

    expect(calls).toBe(0)
    expect(error.looked.at(-1)?.outcome).toBe('downloads disabled (download: false)')
  })

  it('treats CODEBOX_OFFLINE=1 as downloads disabled', async () => {
    let calls = 0
    const countingFetch = (async () => {
      calls++
      throw new Error('fetch must not be called')
    }) as unknown as typeof fetch
    const resolver = await setup({ env: { CODEBOX_OFFLINE: '1' }, fetch: countingFetch })

    const error = (await rejection(resolver.resolveTool('wp-cli'))) as ResourceUnavailableError

    expect(calls).toBe(0)
    expect(error.resource).toBe('tool:wp-cli@2.10.0')
    expect(error.looked.at(-1)?.outcome).toBe('downloads disabled (CODEBOX_OFFLINE=1)')
  })

  it('gives up on a server that never answers at downloadTimeoutMs, without retrying', async () => {
    const resolver = await setup({ downloadTimeoutMs: 200 })

    const started = performance.now()
    const error = (await rejection(
      resolver.resolvePlugin({ slug: 'slow', version: '1.0.0', source: `${server.base}/hang` }),
    )) as ResourceUnavailableError

    expect(performance.now() - started).toBeLessThan(1000)
    expect(error.looked.at(-1)?.outcome).toBe('timed out after 200 ms')
    expect(server.hits.get('/hang')).toBe(1)
  })

  it('stops with OPERATION_ABORTED when the caller aborts the download', async () => {
    const resolver = await setup()
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)

    const error = await rejection(
      resolver.resolvePlugin(
        { slug: 'slow', version: '1.0.0', source: `${server.base}/hang` },
        { signal: controller.signal },
      ),
    )

    expect(error.code).toBe('OPERATION_ABORTED')
  })

  it('resolves from a cache seeded with cacheAdd without touching the network', async () => {
    const resolver = await setup({ download: false })
    const zip = makePluginZip('seeded', '3.1.0')
    const zipPath = path.join(work, 'seeded.zip')
    await writeFile(zipPath, zip)

    const added = await resolver.cacheAdd(zipPath)
    const resolved = await resolver.resolvePlugin('seeded@3.1.0')
    const latest = await resolver.resolvePlugin('seeded')

    expect(added).toMatchObject({
      kind: 'plugin',
      slug: 'seeded',
      version: '3.1.0',
      sha256: sha(zip),
      origin: 'cache',
    })
    expect(resolved).toMatchObject({ origin: 'cache', sha256: sha(zip), path: added.path })
    expect(latest.version).toBe('3.1.0')
    const lock = JSON.parse(await readFile(resolver.lockFile, 'utf8'))
    expect(lock.entries['plugin:seeded@3.1.0']).toMatchObject({ sha256: sha(zip), origin: 'cache-add' })
  })

  it('zips a directory given to cacheAdd deterministically and refuses a different artifact for the same version', async () => {
    const resolver = await setup({ download: false })
    const dir = path.join(work, 'dir-plugin')
    await mkdir(dir)
    await writeFile(path.join(dir, 'dir-plugin.php'), pluginMain('Dir Plugin', '0.1.0'))

    const first = await resolver.cacheAdd(dir)
    const again = await resolver.cacheAdd(dir)
    await writeFile(path.join(dir, 'more.php'), '<?php\n')
    const error = await rejection(resolver.cacheAdd(dir))

    expect(first).toMatchObject({
      slug: 'dir-plugin',
      version: '0.1.0',
      pluginFile: 'dir-plugin/dir-plugin.php',
    })
    expect(again.sha256).toBe(first.sha256)
    expect(error.code).toBe('RESOURCE_UPSTREAM_CHANGED')
  })

  it('refuses a plugin directory with a symlink in cacheAdd', async () => {
    const resolver = await setup({ download: false })
    const dir = path.join(work, 'link-plugin')
    await mkdir(dir)
    await writeFile(path.join(dir, 'link-plugin.php'), pluginMain('Link Plugin', '0.1.0'))
    await symlink('/etc/hostname', path.join(dir, 'host'))

    const error = await rejection(resolver.cacheAdd(dir))

    expect(error.details).toMatchObject({ problem: 'symlink', entry: 'host' })
  })
})
