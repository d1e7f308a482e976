import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { createResourceResolver } from '../resources/create-resource-resolver.js'
import { phpunitCachePath, resolvePhpunitToolkit } from './phpunit-toolkit.js'

const encode = (text: string): Uint8Array => new TextEncoder().encode(text)

async function tree(root: string, files: Record<string, string>): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, name)), { recursive: true })
    await writeFile(join(root, name), content)
  }
  return root
}

/** A phar shaped like PHPUnit's: its stub defines `__PHPUNIT_PHAR__` and maps `phpunit-<version>.phar`. */
function phpunitPhar(version: string): Uint8Array {
  return encode(
    `#!/usr/bin/env php\n<?php\ndefine('__PHPUNIT_PHAR__', str_replace(DIRECTORY_SEPARATOR, '/', __FILE__));\n` +
      `Phar::mapPhar('phpunit-${version}.phar');\n__HALT_COMPILER(); ?>\n`,
  )
}

const TEST_LIBRARY = {
  'includes/bootstrap.php': '<?php\n',
  'includes/install.php': '<?php\n',
  'includes/factory.php': '<?php\n',
}

async function setup() {
  const root = await mkdtemp(join(tmpdir(), 'codebox-phpunit-cache-add-'))
  const cacheDir = join(root, 'cache')
  return { root, cacheDir, resolver: createResourceResolver({ cacheDir, download: false, env: {} }) }
}

describe('cacheAdd of the PHPUnit toolkit', () => {
  it('caches a PHPUnit 9 phar, the polyfills and a test library where wordpress.phpunit reads them', async () => {
    const { root, cacheDir, resolver } = await setup()
    await writeFile(join(root, 'phpunit-9.6.20.phar'), phpunitPhar('9.6.20'))
    expect(await resolver.cacheAdd(join(root, 'phpunit-9.6.20.phar'))).toMatchObject({
      kind: 'phpunit',
      slug: 'phpunit',
      version: '9.6.20',
      path: phpunitCachePath(cacheDir, 'phpunit', '6.5'),
      sha256: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    })
    const polyfills = await tree(join(root, 'PHPUnit-Polyfills-2.0.4'), {
      'phpunitpolyfills-autoload.php': "<?php\nfinal class Autoload { const VERSION = '2.0.4'; }\n",
      'src/TestCases/TestCase.php': '<?php\n',
    })
    expect(await resolver.cacheAdd(polyfills)).toMatchObject({ slug: 'phpunit-polyfills', version: '2.0.4' })
    const zip = join(root, 'wp-phpunit-6.5.5.zip')
    await writeFile(
      zip,
      zipSync(
        Object.fromEntries(
          Object.entries(TEST_LIBRARY).map(([n, c]) => [`wp-phpunit-6.5.5/${n}`, encode(c)]),
        ),
      ),
    )
    expect(await resolver.cacheAdd(zip, { version: '6.5.5' })).toMatchObject({
      slug: 'wordpress-tests-lib',
      version: '6.5',
      path: phpunitCachePath(cacheDir, 'testLibrary', '6.5'),
    })

    const toolkit = await resolvePhpunitToolkit({
      options: {},
      cacheDir,
      wordpress: '6.5.3',
      env: {},
      download: false,
    })
    expect(toolkit.phpunit).toMatchObject({ origin: 'cache', entry: 'phpunit.phar', includePath: false })
    expect(toolkit.polyfills).toMatchObject({ origin: 'cache', entry: 'phpunitpolyfills-autoload.php' })
    expect(toolkit.testLibrary).toMatchObject({ origin: 'cache', entry: 'includes/bootstrap.php' })
  })

  it('refuses a test library without its WordPress version, naming the field and the fix', async () => {
    const { root, cacheDir, resolver } = await setup()
    const library = await tree(join(root, 'tests', 'phpunit'), {
      ...TEST_LIBRARY,
      'tests/post.php': '<?php\n',
    })
    const error = await resolver.cacheAdd(library).catch((caught: unknown) => caught)
    expect(error).toMatchObject({
      code: 'RESOURCE_SPEC_INVALID',
      details: { issues: [{ path: '$.version', message: expect.stringContaining("{ version: '6.5' }") }] },
    })
    expect(await readdir(cacheDir).catch(() => [])).toEqual([])

    await resolver.cacheAdd(library, { version: '6.4' })
    // wordpress-develop's own test cases stay behind: a plugin's suite needs the library, not core's tests.
    expect(await readdir(phpunitCachePath(cacheDir, 'testLibrary', '6.4'))).toEqual(['includes'])
  })

  it('refuses a PHPUnit other than 9 and a pinned sha256 that differs, caching nothing', async () => {
    const { root, cacheDir, resolver } = await setup()
    await writeFile(join(root, 'phpunit-10.5.2.phar'), phpunitPhar('10.5.2'))
    await expect(resolver.cacheAdd(join(root, 'phpunit-10.5.2.phar'))).rejects.toMatchObject({
      code: 'RESOURCE_SPEC_INVALID',
      details: { issues: [{ path: '$.source', message: expect.stringContaining('needs PHPUnit 9') }] },
    })
    await writeFile(join(root, 'phpunit-9.6.20.phar'), phpunitPhar('9.6.20'))
    await expect(
      resolver.cacheAdd(join(root, 'phpunit-9.6.20.phar'), { sha256: `sha256:${'1'.repeat(64)}` }),
    ).rejects.toMatchObject({ code: 'RESOURCE_INTEGRITY_MISMATCH' })
    expect(await readdir(cacheDir).catch(() => [])).toEqual([])
  })

  it('replaces what the cache held for a part, so a re-add leaves no stale files', async () => {
    const { root, cacheDir, resolver } = await setup()
    const pear = await tree(join(root, 'pear'), {
      'PHPUnit/Autoload.php': '<?php\n',
      'PHPUnit/Old.php': '<?php\n',
    })
    await resolver.cacheAdd(pear)
    const newer = await tree(join(root, 'pear-new'), {
      'PHPUnit/Autoload.php': '<?php\n',
      'PHPUnit/Runner/Version.php': "<?php\n(new VersionId('9.6.7', dirname(__DIR__, 2)))\n",
    })
    expect(await resolver.cacheAdd(newer)).toMatchObject({ slug: 'phpunit', version: '9.6.7' })
    expect((await readdir(join(phpunitCachePath(cacheDir, 'phpunit', '6.5'), 'PHPUnit'))).sort()).toEqual([
      'Autoload.php',
      'Runner',
    ])
    expect(await readdir(join(cacheDir, 'phpunit'))).toEqual(['phpunit'])
  })
})
