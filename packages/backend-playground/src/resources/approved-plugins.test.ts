import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createResourceResolver } from './create-resource-resolver.js'
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

describe('approved-plugin manifest', () => {
  it('refuses a plugin that is not on the manifest and one whose hash differs, and accepts a listed one', async () => {
    const listed = makePluginZip('listed', '1.0.0')
    const tampered = makePluginZip('tampered', '1.0.0')
    const resolver = await setup({
      approvedPlugins: {
        schema: 'codebox/approved-plugins/v1',
        plugins: [
          { slug: 'listed', version: '1.0.0', sha256: sha(listed).slice(7) },
          { slug: 'tampered', version: '1.0.0', sha256: 'b'.repeat(64) },
        ],
      },
    })
    server.routes.set('/plugin/listed.1.0.0.zip', listed)
    server.routes.set('/plugin/tampered.1.0.0.zip', tampered)
    server.routes.set('/plugin/unlisted.1.0.0.zip', makePluginZip('unlisted', '1.0.0'))

    const unlisted = await rejection(resolver.resolvePlugin('unlisted@1.0.0'))
    const wrongHash = await rejection(resolver.resolvePlugin('tampered@1.0.0'))
    const ok = await resolver.resolvePlugin('listed@1.0.0')

    expect(unlisted.code).toBe('PLUGIN_NOT_APPROVED')
    expect(unlisted.details).toMatchObject({ slug: 'unlisted', reason: 'not-listed' })
    expect(wrongHash.code).toBe('PLUGIN_NOT_APPROVED')
    expect(wrongHash.details).toMatchObject({ slug: 'tampered', reason: 'hash-mismatch' })
    expect(ok.sha256).toBe(sha(listed))
    expect(existsSync(path.join(cacheDir, 'plugins', 'unlisted'))).toBe(false)
  })

  it('checks plugins served from the cache against the manifest too', async () => {
    const zip = makePluginZip('cached-unlisted', '1.0.0')
    const seeder = await setup()
    const zipPath = path.join(work, 'cached-unlisted.zip')
    await writeFile(zipPath, zip)
    await seeder.cacheAdd(zipPath)
    const strict = createResourceResolver({
      cacheDir,
      env: {},
      download: false,
      approvedPlugins: { schema: 'codebox/approved-plugins/v1', plugins: [] },
    })

    const error = await rejection(strict.resolvePlugin('cached-unlisted@1.0.0'))

    expect(error.code).toBe('PLUGIN_NOT_APPROVED')
  })
})
