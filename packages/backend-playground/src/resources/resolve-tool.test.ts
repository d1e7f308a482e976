import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  cacheDir,
  makeFakePhar,
  rejection,
  server,
  setup,
  sha,
  useResolverFixture,
  work,
} from './resource-resolver.test-fixture.js'

useResolverFixture()

describe('resolveTool', () => {
  it('downloads wp-cli.phar once into tools/wp-cli/<version>/ and then serves it from the cache', async () => {
    const resolver = await setup()
    const phar = makeFakePhar('v2.10.0')
    server.routes.set('/wp-cli-2.10.0.phar', phar)

    const first = await resolver.resolveTool('wp-cli')
    const second = await resolver.resolveTool({ name: 'wp-cli', version: '2.10.0', sha256: sha(phar) })

    expect(first).toMatchObject({
      kind: 'tool',
      slug: 'wp-cli',
      version: '2.10.0',
      origin: 'download',
      sha256: sha(phar),
    })
    expect(first.path).toBe(path.join(cacheDir, 'tools', 'wp-cli', '2.10.0', 'wp-cli.phar'))
    expect(second).toMatchObject({ origin: 'cache', path: first.path })
    expect(server.hits.get('/wp-cli-2.10.0.phar')).toBe(1)
    const lock = JSON.parse(await readFile(resolver.lockFile, 'utf8'))
    expect(lock.entries['tool:wp-cli@2.10.0'].sha256).toBe(sha(phar))
  })

  it('fails closed on a pinned phar hash mismatch and caches nothing', async () => {
    const resolver = await setup()
    server.routes.set('/wp-cli-2.9.0.phar', makeFakePhar('v2.9.0'))

    const error = await rejection(
      resolver.resolveTool({ name: 'wp-cli', version: '2.9.0', sha256: 'c'.repeat(64) }),
    )

    expect(error.code).toBe('RESOURCE_INTEGRITY_MISMATCH')
    expect(existsSync(path.join(cacheDir, 'tools'))).toBe(false)
  })

  it('refuses a download that is not a phar', async () => {
    const resolver = await setup()
    server.routes.set('/wp-cli-2.8.0.phar', new TextEncoder().encode('<html>captive portal</html>'))

    const error = await rejection(resolver.resolveTool('wp-cli@2.8.0'))

    expect(error.details).toMatchObject({ problem: 'not-a-phar' })
  })

  it('seeds a phar with cacheAdd and resolves it offline', async () => {
    const resolver = await setup({ download: false })
    const pharPath = path.join(work, 'wp-cli.phar')
    const phar = makeFakePhar('seeded')
    await writeFile(pharPath, phar)

    const added = await resolver.cacheAdd(pharPath, { version: '2.11.0' })
    const resolved = await resolver.resolveTool('wp-cli@2.11.0')

    expect(added).toMatchObject({ kind: 'tool', version: '2.11.0', origin: 'cache', sha256: sha(phar) })
    expect(resolved).toMatchObject({ origin: 'cache', sha256: sha(phar) })
    expect((await resolver.cacheList()).map((e) => `${e.kind}:${e.slug}@${e.version}`)).toEqual([
      'tool:wp-cli@2.11.0',
    ])
  })
})
