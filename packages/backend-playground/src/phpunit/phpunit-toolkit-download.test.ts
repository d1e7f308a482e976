import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { zipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUNDLED_WORDPRESS_VERSIONS } from '../playground-options.js'
import { filesDigest } from '../resources/resource-digest.js'
import { PHPUNIT_RELEASES, type PhpunitReleases } from './phpunit-releases.js'
import { phpunitCachePath, resolvePhpunitToolkit } from './phpunit-toolkit.js'

const encode = (text: string): Uint8Array => new TextEncoder().encode(text)

/** The files of a stand-in release, as its zip would extract them (top directory stripped). */
const POLYFILLS = new Map([
  ['phpunitpolyfills-autoload.php', encode("<?php\nconst VERSION = '9.9.9';\n")],
  ['src/Polyfills/AssertIsType.php', encode('<?php\n')],
])
const TEST_LIBRARY = new Map([
  ['includes/bootstrap.php', encode('<?php\n')],
  ['includes/install.php', encode('<?php\n')],
  ['data/filesystem/archive-large.zip', encode('not pinned, so not written')],
])

function zipOf(top: string, files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  return zipSync(Object.fromEntries([...files].map(([name, data]) => [`${top}/${name}`, data])))
}

/**
 * A loopback stand-in for the release host (github.com's tag archives): serves the zips above, counts requests, and
 * holds `/slow/…` bodies open so a download can be aborted mid-way.
 */
let releaseHost: Server
let base = ''
const requests: string[] = []

beforeAll(async () => {
  const bodies: Record<string, Uint8Array> = {
    '/polyfills.zip': zipOf('PHPUnit-Polyfills-9.9.9', POLYFILLS),
    '/wp-phpunit.zip': zipOf('wp-phpunit-6.5.5', TEST_LIBRARY),
  }
  releaseHost = createServer((request, response) => {
    const url = request.url ?? ''
    requests.push(url)
    if (url.startsWith('/slow/')) {
      response.writeHead(200, { 'content-type': 'application/zip' })
      response.write(bodies['/polyfills.zip']?.subarray(0, 10) ?? '')
      return // never ends: the test aborts
    }
    const body = bodies[url]
    response.writeHead(body === undefined ? 404 : 200).end(body)
  })
  await new Promise<void>((resolve) => releaseHost.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(releaseHost.address() as AddressInfo).port}`
})
afterAll(async () => {
  releaseHost.closeAllConnections()
  await new Promise((resolve) => releaseHost.close(resolve))
})

function releases(overrides: { polyfillsPath?: string; polyfillsSha256?: string } = {}): PhpunitReleases {
  const omitted = new Map(TEST_LIBRARY)
  omitted.delete('data/filesystem/archive-large.zip')
  return {
    polyfills: {
      version: '9.9.9',
      url: `${base}${overrides.polyfillsPath ?? '/polyfills.zip'}`,
      treeSha256: overrides.polyfillsSha256 ?? filesDigest(POLYFILLS),
      commit: '0000000000000000000000000000000000000000',
    },
    testLibrary: {
      '6.5': {
        version: '6.5.5',
        url: `${base}/wp-phpunit.zip`,
        treeSha256: filesDigest(omitted),
        commit: '0000000000000000000000000000000000000000',
        omit: ['data/filesystem/archive-large.zip'],
      },
    },
  }
}

/** A temp root with a PHPUnit tree given as an option, and an empty cache. */
async function setup(): Promise<{ root: string; cacheDir: string; phpunit: string }> {
  const root = await mkdtemp(join(tmpdir(), 'codebox-phpunit-download-'))
  const phpunit = join(root, 'pear')
  await mkdir(join(phpunit, 'PHPUnit'), { recursive: true })
  await writeFile(join(phpunit, 'PHPUnit', 'Autoload.php'), '<?php\n')
  return { root, cacheDir: join(root, 'cache'), phpunit }
}

describe('resolvePhpunitToolkit downloads', () => {
  it('downloads the polyfills and the test library once, verified, into the cache, then reads them from there', async () => {
    const { cacheDir, phpunit } = await setup()
    const input = { options: { phpunit }, cacheDir, wordpress: '6.5.2', env: {}, releases: releases() }
    const toolkit = await resolvePhpunitToolkit(input)
    expect(toolkit.polyfills).toMatchObject({
      origin: 'download',
      path: phpunitCachePath(cacheDir, 'polyfills', '6.5.2'),
    })
    expect(toolkit.testLibrary).toMatchObject({ origin: 'download', entry: 'includes/bootstrap.php' })
    const testLibrary = phpunitCachePath(cacheDir, 'testLibrary', '6.5.2')
    expect(await readdir(join(testLibrary, 'includes'))).toEqual(['bootstrap.php', 'install.php'])
    // What the pin does not cover is not written.
    expect(await readdir(testLibrary)).toEqual(['includes'])
    expect(await readdir(join(cacheDir, 'phpunit'))).toEqual(['phpunit-polyfills', 'wordpress-tests-lib'])

    const before = requests.length
    const again = await resolvePhpunitToolkit(input)
    expect(again.polyfills.origin).toBe('cache')
    expect(again.testLibrary.origin).toBe('cache')
    expect(requests.length).toBe(before)
  })

  it('refuses a download whose content differs from the pin and leaves the cache untouched', async () => {
    const { cacheDir, phpunit } = await setup()
    const pinned = `sha256:${'0'.repeat(64)}`
    const error = await resolvePhpunitToolkit({
      options: { phpunit },
      cacheDir,
      wordpress: '6.5',
      env: {},
      releases: releases({ polyfillsSha256: pinned }),
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({
      code: 'RESOURCE_INTEGRITY_MISMATCH',
      details: { resource: 'phpunit:polyfills@9.9.9', expected: pinned, actual: filesDigest(POLYFILLS) },
    })
    expect((error as Error).message).toContain('nothing was cached')
    expect(await readdir(cacheDir).catch(() => [])).toEqual([])
  })

  it('stops an aborted download and leaves nothing behind', async () => {
    const { cacheDir, phpunit } = await setup()
    const controller = new AbortController()
    const slow = resolvePhpunitToolkit({
      options: { phpunit },
      cacheDir,
      wordpress: '6.5',
      env: {},
      signal: controller.signal,
      releases: releases({ polyfillsPath: '/slow/polyfills.zip' }),
    })
    while (!requests.includes('/slow/polyfills.zip')) await new Promise((resolve) => setTimeout(resolve, 10))
    controller.abort(new Error('the user pressed Ctrl-C'))
    await expect(slow).rejects.toMatchObject({ code: 'OPERATION_ABORTED' })
    expect(await readdir(cacheDir).catch(() => [])).toEqual([])
  })

  it('offline, names each missing part, why it was not downloaded and how to provide it, and fetches nothing', async () => {
    const { cacheDir, phpunit } = await setup()
    const before = requests.length
    const error = await resolvePhpunitToolkit({
      options: { phpunit },
      cacheDir,
      wordpress: '6.5',
      env: { CODEBOX_OFFLINE: '1' },
      releases: releases(),
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({
      code: 'PHPUNIT_UNAVAILABLE',
      details: { missing: ['polyfills', 'testLibrary'] },
    })
    const message = (error as Error).message
    expect(message).toContain('missing polyfills, testLibrary')
    expect(message).toContain('download: downloads disabled (CODEBOX_OFFLINE=1)')
    expect(message).toContain('codebox cache add /path/to/PHPUnit-Polyfills-<version>.zip')
    expect(message).toContain('codebox cache add /path/to/wp-phpunit-<version>.zip --version 6.5')
    expect(message).toContain(`allow the pinned download of ${base}/wp-phpunit.zip`)
    expect((error as { details: { looked: unknown[] } }).details.looked).toContainEqual({
      component: 'testLibrary',
      place: 'download',
      location: `${base}/wp-phpunit.zip`,
      outcome: 'downloads disabled (CODEBOX_OFFLINE=1)',
    })
    expect(requests.length).toBe(before)
  })

  it('downloads nothing while PHPUnit itself is missing, and says PHPUnit has no pinned download', async () => {
    const { cacheDir } = await setup()
    const before = requests.length
    const error = await resolvePhpunitToolkit({
      options: {},
      cacheDir,
      wordpress: '6.5',
      env: {},
      releases: releases(),
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'PHPUNIT_UNAVAILABLE' })
    const message = (error as Error).message
    expect(message).toContain('no pinned download: codebox could not pin the official PHPUnit phar')
    expect(message).toContain('codebox cache add /path/to/phpunit-9.6.N.phar')
    expect(message).toContain('not tried: phpunit cannot be downloaded')
    expect(requests.length).toBe(before)
    expect(await readdir(cacheDir).catch(() => [])).toEqual([])
  })
})

describe('PHPUNIT_RELEASES', () => {
  it('pins a test library for every bundled WordPress version, each a wp-phpunit tag of that major.minor', () => {
    for (const version of BUNDLED_WORDPRESS_VERSIONS) {
      const release = PHPUNIT_RELEASES.testLibrary[version]
      expect(release?.version.startsWith(`${version}.`)).toBe(true)
      expect(release?.url).toBe(
        `https://github.com/wp-phpunit/wp-phpunit/archive/refs/tags/${release?.version}.zip`,
      )
      expect(release?.treeSha256).toMatch(/^sha256:[0-9a-f]{64}$/)
    }
  })
})
