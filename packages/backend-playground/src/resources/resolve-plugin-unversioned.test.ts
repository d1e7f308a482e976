import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { treeDigest } from './resource-digest.js'
import {
  cacheDir,
  pluginMain,
  rejection,
  setup,
  sha,
  useResolverFixture,
  work,
} from './resource-resolver.test-fixture.js'

useResolverFixture()

/** A plugin in development: a `Plugin Name:` header and no `Version:` line, as the seed recipe's example. */
async function devPluginDirectory(slug: string): Promise<string> {
  const dir = path.join(work, slug)
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, `${slug}.php`), pluginMain('In Development', undefined))
  return dir
}

function devPluginZip(slug: string): Uint8Array {
  return zipSync({ [`${slug}/${slug}.php`]: new TextEncoder().encode(pluginMain('Zipped Dev', undefined)) })
}

describe('a local plugin without a "Version:" header', () => {
  it('resolves from a directory, known by its tree digest and with no version', async () => {
    const resolver = await setup()
    const dir = await devPluginDirectory('in-dev')

    const resolved = await resolver.resolvePlugin({ slug: 'in-dev', source: dir })

    expect(resolved).toMatchObject({ slug: 'in-dev', origin: 'local', path: dir, name: 'In Development' })
    expect(resolved.version).toBeUndefined()
    expect(resolved.sha256).toBe(await treeDigest(dir))
  })

  it('resolves from a zip into a layer named by its digest', async () => {
    const resolver = await setup()
    const zip = devPluginZip('zipped-dev')
    const zipPath = path.join(work, 'zipped-dev.zip')
    await writeFile(zipPath, zip)

    const resolved = await resolver.resolvePlugin({ slug: 'zipped-dev', source: zipPath })

    const short = sha(zip).slice('sha256:'.length, 'sha256:'.length + 12)
    expect(resolved.version).toBeUndefined()
    expect(resolved.sha256).toBe(sha(zip))
    expect(resolved.path).toBe(
      path.join(cacheDir, 'layers', `plugin-zipped-dev-unversioned-${short}`, 'zipped-dev'),
    )
  })

  it('is refused by a spec that pins a version, with a fix that pins the sha256 instead', async () => {
    const resolver = await setup()
    const dir = await devPluginDirectory('pinned-dev')

    const error = await rejection(
      resolver.resolvePlugin({ slug: 'pinned-dev', version: '1.0.0', source: dir }),
    )

    expect(error.code).toBe('RESOURCE_VERSION_MISMATCH')
    expect(error.message).toContain('no usable "Version:" header')
    expect(error.message).toContain('`sha256`')
    expect(error.details).toMatchObject({ requested: '1.0.0', found: null })
  })

  it('passes a sha256 pin of its content and fails a different one', async () => {
    const resolver = await setup()
    const dir = await devPluginDirectory('sha-dev')
    const digest = await treeDigest(dir)

    expect((await resolver.resolvePlugin({ slug: 'sha-dev', source: dir, sha256: digest })).sha256).toBe(
      digest,
    )
    const error = await rejection(
      resolver.resolvePlugin({ slug: 'sha-dev', source: dir, sha256: 'a'.repeat(64) }),
    )
    expect(error.code).toBe('RESOURCE_INTEGRITY_MISMATCH')
  })

  it('is approved by a manifest entry that names its sha256 and no version, and only by that', async () => {
    const dir = await devPluginDirectory('approved-dev')
    const digest = (await treeDigest(dir)).slice('sha256:'.length)
    const byContent = await setup({
      approvedPlugins: {
        schema: 'codebox/approved-plugins/v1',
        plugins: [{ slug: 'approved-dev', sha256: digest }],
      },
    })
    expect((await byContent.resolvePlugin({ slug: 'approved-dev', source: dir })).version).toBeUndefined()

    const byVersion = await setup({
      approvedPlugins: {
        schema: 'codebox/approved-plugins/v1',
        plugins: [{ slug: 'approved-dev', version: '1.0.0', sha256: digest }],
      },
    })
    const dir2 = await devPluginDirectory('approved-dev')
    const error = await rejection(byVersion.resolvePlugin({ slug: 'approved-dev', source: dir2 }))
    expect(error.code).toBe('PLUGIN_NOT_APPROVED')
    expect(error.message).toContain('no "Version:" header')
    expect(error.message).toContain(`{ slug: "approved-dev", sha256: "${digest}" }`)
  })

  it('cannot enter the cache without a version, and the error says how to give one or skip the cache', async () => {
    const resolver = await setup()
    const dir = await devPluginDirectory('cache-dev')

    const error = await rejection(resolver.cacheAdd(dir))

    expect(error.code).toBe('RESOURCE_SPEC_INVALID')
    expect(error.message).toContain('--version')
    expect(error.message).toContain('local source')
    const added = await resolver.cacheAdd(dir, { version: '0.1.0' })
    expect(added).toMatchObject({ slug: 'cache-dev', version: '0.1.0', origin: 'cache' })
  })
})
