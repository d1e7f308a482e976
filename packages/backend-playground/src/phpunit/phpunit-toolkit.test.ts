import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { phpunitCachePath, resolvePhpunitToolkit } from './phpunit-toolkit.js'
import { phpunitToolkitMissing } from './phpunit-toolkit-missing.js'

async function dirWith(root: string, name: string, file: string): Promise<string> {
  const dir = join(root, name)
  await mkdir(join(dir, file, '..'), { recursive: true })
  await writeFile(join(dir, file), '<?php\n')
  return dir
}

describe('resolvePhpunitToolkit', () => {
  it('names every missing part, each place it looked and how to provide it, and downloads nothing', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'codebox-phpunit-cache-'))
    const error = await resolvePhpunitToolkit({ options: {}, cacheDir, wordpress: '6.5.5', env: {} }).catch(
      (caught: unknown) => caught,
    )
    expect(error).toMatchObject({
      code: 'PHPUNIT_UNAVAILABLE',
      details: { missing: ['phpunit', 'polyfills', 'testLibrary'] },
    })
    const message = (error as Error).message
    for (const hint of ['CODEBOX_PHPUNIT_PATH', 'WP_TESTS_PHPUNIT_POLYFILLS_PATH', 'WP_TESTS_DIR'])
      expect(message).toContain(hint)
    expect(message).toContain(join(cacheDir, 'phpunit', 'wordpress-tests-lib', '6.5'))
    expect((error as { details: { looked: unknown[] } }).details.looked).toContainEqual({
      component: 'testLibrary',
      place: 'cache',
      location: join(cacheDir, 'phpunit', 'wordpress-tests-lib', '6.5'),
      outcome: 'not found',
    })
  })

  it('takes the option first, then the environment, then the cache, and says where each part came from', async () => {
    const root = await mkdtemp(join(tmpdir(), 'codebox-phpunit-parts-'))
    const cacheDir = join(root, 'cache')
    const pear = await dirWith(root, 'pear', 'PHPUnit/Autoload.php')
    const polyfills = await dirWith(root, 'polyfills', 'phpunitpolyfills-autoload.php')
    await dirWith(phpunitCachePath(cacheDir, 'testLibrary', '6.5.5'), '.', 'includes/bootstrap.php')
    const toolkit = await resolvePhpunitToolkit({
      options: { phpunit: pear },
      cacheDir,
      wordpress: '6.5.5',
      env: { WP_TESTS_PHPUNIT_POLYFILLS_PATH: polyfills, CODEBOX_PHPUNIT_PATH: '/nowhere' },
    })
    expect(toolkit.phpunit).toMatchObject({
      path: pear,
      origin: 'option',
      entry: 'PHPUnit/Autoload.php',
      includePath: true,
    })
    expect(toolkit.polyfills).toMatchObject({ path: polyfills, origin: 'env' })
    expect(toolkit.testLibrary).toMatchObject({ origin: 'cache', entry: 'includes/bootstrap.php' })
  })

  it('refuses a given directory that is not the part it should be, naming where it came from', async () => {
    const root = await mkdtemp(join(tmpdir(), 'codebox-phpunit-wrong-'))
    const error = await resolvePhpunitToolkit({
      options: { testLibrary: root },
      cacheDir: join(root, 'cache'),
      wordpress: '6.5',
      env: {},
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({
      code: 'PHPUNIT_TOOLKIT_INVALID',
      details: { component: 'testLibrary', path: root },
    })
    expect((error as Error).message).toContain('includes/bootstrap.php')
  })
})

describe('phpunitToolkitMissing', () => {
  it('says what is missing, undefined once everything resolves, and throws for a broken setup', async () => {
    const root = await mkdtemp(join(tmpdir(), 'codebox-phpunit-missing-'))
    const cacheDir = join(root, 'cache')
    const missing = await phpunitToolkitMissing({ cacheDir, env: {}, download: false })
    expect(missing).toContain('wordpress.phpunit cannot run: missing phpunit, polyfills, testLibrary')
    expect(missing).toContain('WP_TESTS_DIR')

    await dirWith(phpunitCachePath(cacheDir, 'phpunit', '6.5'), '.', 'PHPUnit/Autoload.php')
    await dirWith(phpunitCachePath(cacheDir, 'polyfills', '6.5'), '.', 'phpunitpolyfills-autoload.php')
    expect(await phpunitToolkitMissing({ cacheDir, env: {}, download: false })).toContain(
      'missing testLibrary',
    )
    await dirWith(phpunitCachePath(cacheDir, 'testLibrary', '6.5'), '.', 'includes/bootstrap.php')
    expect(await phpunitToolkitMissing({ cacheDir, env: {}, download: false })).toBeUndefined()

    await expect(
      phpunitToolkitMissing({ cacheDir, env: { WP_TESTS_DIR: root }, download: false }),
    ).rejects.toMatchObject({
      code: 'PHPUNIT_TOOLKIT_INVALID',
    })
  })
})
