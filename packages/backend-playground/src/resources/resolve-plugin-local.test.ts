import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { treeDigest } from './resource-digest.js'
import type { ResourceUnavailableError } from './resource-errors.js'
import {
  cacheDir,
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

describe('resolvePlugin from a local source', () => {
  it('uses a local plugin directory as is, reading its version from the header and hashing the tree', async () => {
    const resolver = await setup()
    const dir = path.join(work, 'my-plugin')
    await mkdir(path.join(dir, 'inc'), { recursive: true })
    await writeFile(path.join(dir, 'main.php'), pluginMain('My Plugin', '1.4.0'))
    await writeFile(path.join(dir, 'inc', 'helper.php'), '<?php // helper\n')

    const resolved = await resolver.resolvePlugin({ slug: 'my-plugin', source: dir })

    expect(resolved).toMatchObject({
      kind: 'plugin',
      slug: 'my-plugin',
      version: '1.4.0',
      origin: 'local',
      path: dir,
      pluginFile: 'my-plugin/main.php',
      name: 'My Plugin',
      activate: true,
      loadAs: 'plugin',
    })
    expect(resolved.sha256).toBe(await treeDigest(dir))
    await writeFile(path.join(dir, 'inc', 'helper.php'), '<?php // changed\n')
    expect(await treeDigest(dir)).not.toBe(resolved.sha256)
    expect(existsSync(path.join(cacheDir, 'codebox.lock.json'))).toBe(false)
  })

  it('extracts a local plugin zip into a hash-named layer under the cache', async () => {
    const resolver = await setup()
    const zip = makePluginZip('hello-zip', '0.3.0', { 'hello-zip/lib/a.php': '<?php // a\n' })
    const zipPath = path.join(work, 'hello-zip.zip')
    await writeFile(zipPath, zip)

    const resolved = await resolver.resolvePlugin({ slug: 'hello-zip', source: zipPath, activate: false })

    const short = sha(zip).slice('sha256:'.length, 'sha256:'.length + 12)
    expect(resolved).toMatchObject({ origin: 'local', version: '0.3.0', sha256: sha(zip), activate: false })
    expect(resolved.path).toBe(path.join(cacheDir, 'layers', `plugin-hello-zip-0.3.0-${short}`, 'hello-zip'))
    expect(resolved.pluginFile).toBe('hello-zip/hello-zip.php')
    expect(await readFile(path.join(resolved.path, 'lib', 'a.php'), 'utf8')).toBe('<?php // a\n')
    expect((await readdir(path.join(cacheDir, 'layers'))).filter((name) => name.startsWith('.tmp'))).toEqual(
      [],
    )
  })

  it('refuses a plugin whose header version differs from the version in the spec', async () => {
    const resolver = await setup()
    const zipPath = path.join(work, 'versioned.zip')
    await writeFile(zipPath, makePluginZip('versioned', '1.0.0'))

    const error = await rejection(
      resolver.resolvePlugin({ slug: 'versioned', version: '2.0.0', source: zipPath }),
    )

    expect(error.code).toBe('RESOURCE_VERSION_MISMATCH')
    expect(error.message).toContain('Version: 1.0.0')
    expect(error.details).toMatchObject({ requested: '2.0.0', found: '1.0.0' })
  })

  it('refuses a zip with an entry that climbs out of the plugin directory and extracts nothing', async () => {
    const resolver = await setup()
    const zipPath = path.join(work, 'evil.zip')
    await writeFile(zipPath, makePluginZip('evil', '1.0.0', { 'evil/../../escaped.php': '<?php // boo\n' }))

    const error = await rejection(resolver.resolvePlugin({ slug: 'evil', source: zipPath }))

    expect(error.code).toBe('RESOURCE_ARCHIVE_INVALID')
    expect(error.details).toMatchObject({ problem: 'unsafe-path', entry: 'evil/../../escaped.php' })
    expect(existsSync(path.join(cacheDir, 'layers'))).toBe(false)
    expect(existsSync(path.join(work, 'escaped.php'))).toBe(false)
  })

  it('refuses a zip with an absolute entry path', async () => {
    const resolver = await setup()
    const zipPath = path.join(work, 'abs.zip')
    await writeFile(zipPath, makePluginZip('abs', '1.0.0', { '/tmp/abs-owned.php': '<?php\n' }))

    const error = await rejection(resolver.resolvePlugin({ slug: 'abs', source: zipPath }))

    expect(error.details).toMatchObject({ problem: 'unsafe-path' })
  })

  it('refuses a zip that contains a symlink entry', async () => {
    const resolver = await setup()
    const zip = zipSync({
      'linky/linky.php': new TextEncoder().encode(pluginMain('Linky', '1.0.0')),
      'linky/passwd': [new TextEncoder().encode('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
    })
    const zipPath = path.join(work, 'linky.zip')
    await writeFile(zipPath, zip)

    const error = await rejection(resolver.resolvePlugin({ slug: 'linky', source: zipPath }))

    expect(error.code).toBe('RESOURCE_ARCHIVE_INVALID')
    expect(error.details).toMatchObject({ problem: 'symlink', entry: 'linky/passwd' })
  })

  it('refuses a zip without a Plugin Name header', async () => {
    const resolver = await setup()
    const zipPath = path.join(work, 'nothing.zip')
    await writeFile(zipPath, zipSync({ 'nothing/readme.txt': new TextEncoder().encode('hi') }))

    const error = await rejection(resolver.resolvePlugin({ slug: 'nothing', source: zipPath }))

    expect(error.details).toMatchObject({ problem: 'no-plugin-header' })
  })

  it('reports a missing explicit source as unavailable instead of silently using the cache', async () => {
    const resolver = await setup()
    const missing = path.join(work, 'nope.zip')

    const error = (await rejection(
      resolver.resolvePlugin({ slug: 'nope', source: missing }),
    )) as ResourceUnavailableError

    expect(error.code).toBe('RESOURCE_UNAVAILABLE')
    expect(error.looked).toEqual([{ place: 'local', location: missing, outcome: 'not found' }])
    expect(server.hits.size).toBe(0)
  })
})
