/**
 * WordPress releases through the resolver: cache, download checked against the published SHA-1, `cacheAdd` of a zip
 * or directory, and the offline error. The releases here are release-shaped trees (the files the resolver reads, no
 * working WordPress): what WordPress does with them is tested against a real release in test/playground.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { resolveWordPressSource } from '../site/wordpress-builds.js'
import { rejection, server, setup, sha, useResolverFixture, work } from './resource-resolver.test-fixture.js'

useResolverFixture()

const encode = (text: string): Uint8Array => new TextEncoder().encode(text)

/** The files of a release-shaped tree declaring `version`. */
function releaseFiles(version: string): Record<string, string> {
  return {
    'wp-includes/version.php': `<?php\n$wp_version = '${version}';\n$wp_db_version = 60421;\n`,
    'wp-load.php': '<?php // load\n',
    'wp-settings.php': '<?php // settings\n',
    'wp-admin/index.php': '<?php // admin\n',
    'wp-content/index.php': '<?php // Silence is golden.\n',
  }
}

function releaseZip(version: string): Uint8Array {
  return zipSync(
    Object.fromEntries(
      Object.entries(releaseFiles(version)).map(([name, text]) => [`wordpress/${name}`, encode(text)]),
    ),
  )
}

async function releaseDirectory(version: string): Promise<string> {
  const root = path.join(work, `wordpress-${version}`)
  for (const [name, text] of Object.entries(releaseFiles(version))) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true })
    await writeFile(path.join(root, name), text)
  }
  return root
}

const sha1 = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex')

describe('resolveWordPress', () => {
  it('downloads a release once, checked against its published SHA-1, then serves it from the cache', async () => {
    const zip = releaseZip('6.9')
    const withSource = await setup({
      sources: { wordpressReleases: `${server.base}/wordpress-{version}.zip` },
    })
    server.routes.set('/wordpress-6.9.zip', zip)
    server.routes.set('/wordpress-6.9.zip.sha1', encode(`${sha1(zip)}\n`))

    const downloaded = await withSource.resolveWordPress('6.9')
    const cached = await withSource.resolveWordPress('6.9')

    expect(downloaded).toMatchObject({
      kind: 'wordpress',
      version: '6.9',
      origin: 'download',
      sha256: sha(zip),
    })
    expect(cached).toMatchObject({ origin: 'cache', path: downloaded.path, sha256: sha(zip) })
    expect(server.hits.get('/wordpress-6.9.zip')).toBe(1)
    const lock = JSON.parse(await readFile(withSource.lockFile, 'utf8'))
    expect(lock.entries['wordpress:wordpress@6.9']).toMatchObject({ sha256: sha(zip), origin: 'download' })
  })

  it('refuses a download that does not match the published SHA-1 and caches nothing', async () => {
    const resolver = await setup({ sources: { wordpressReleases: `${server.base}/wordpress-{version}.zip` } })
    server.routes.set('/wordpress-6.9.zip', releaseZip('6.9'))
    server.routes.set('/wordpress-6.9.zip.sha1', encode('0'.repeat(40)))

    const error = await rejection(resolver.resolveWordPress('6.9'))

    expect(error.code).toBe('RESOURCE_INTEGRITY_MISMATCH')
    expect(error.message).toContain('wordpress.org publishes')
    expect(existsSync(path.join(resolver.cacheDir, 'wordpress'))).toBe(false)
  })

  it('offline and uncached, is one RESOURCE_UNAVAILABLE saying how to provide it', async () => {
    const resolver = await setup({ download: false })

    const error = await rejection(resolver.resolveWordPress('6.9'))

    expect(error.code).toBe('RESOURCE_UNAVAILABLE')
    expect(error.message).toContain('codebox cache add /path/to/wordpress-6.9.zip')
    expect(error.message).toContain("playground({ wordpress: '/path/to/wordpress-6.9.zip' })")
    expect(error.message).toContain('downloads disabled (download: false)')
    expect(server.hits.size).toBe(0)
  })
})

describe('cacheAdd of a WordPress release', () => {
  it('adds a release directory (zipped) and a release zip under their own versions, offline', async () => {
    const resolver = await setup({ download: false })
    const fromDirectory = await resolver.cacheAdd(await releaseDirectory('6.9'))
    const zipPath = path.join(work, 'wordpress-6.8.3.zip')
    await writeFile(zipPath, releaseZip('6.8.3'))
    const fromZip = await resolver.cacheAdd(zipPath)

    expect(fromDirectory).toMatchObject({ kind: 'wordpress', version: '6.9', origin: 'cache' })
    expect(fromZip).toMatchObject({
      kind: 'wordpress',
      version: '6.8.3',
      sha256: sha(await readFile(zipPath)),
    })
    expect((await resolver.resolveWordPress('6.9')).sha256).toBe(fromDirectory.sha256)
    expect((await resolver.cacheList()).filter((entry) => entry.kind === 'wordpress')).toMatchObject([
      { version: '6.8.3', matchesLock: true },
      { version: '6.9', matchesLock: true },
    ])
    // Adding the same directory again gives the same zip: the lock file accepts it.
    expect((await resolver.cacheAdd(await releaseDirectory('6.9'))).sha256).toBe(fromDirectory.sha256)
  })

  it('refuses a --version that differs from the release’s own', async () => {
    const resolver = await setup({ download: false })
    const error = await rejection(resolver.cacheAdd(await releaseDirectory('6.9'), { version: '7.0' }))
    expect(error.code).toBe('RESOURCE_VERSION_MISMATCH')
  })
})

describe('the wordpress option', () => {
  it('"latest" is the newest of the bundled builds and the cached releases', async () => {
    const resolver = await setup({ download: false })
    expect((await resolveWordPressSource('latest', resolver)).source).toMatch(
      /wordpress-builds\/wp-6\.5\.zip$/,
    )
    await resolver.cacheAdd(await releaseDirectory('6.9'))
    const latest = await resolveWordPressSource('latest', resolver)
    expect(latest.zipPath).toBe((await resolver.resolveWordPress('6.9')).path)
    expect(latest.source).toMatch(/^cache:/)
  })

  it('a bundled version still comes from the bundled builds', async () => {
    const resolver = await setup({ download: false })
    expect((await resolveWordPressSource('6.4', resolver)).source).toMatch(/wordpress-builds\/wp-6\.4\.zip$/)
  })
})
