import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkPhpModule, PHP_MODULE_RECORD_FILE } from './php-module-check.js'
import { PhpModuleInvalidError } from './php-module-errors.js'
import { fileDigest, locatePhpRuntime } from './php-module-files.js'
import { PhpWorker } from './php-worker-client.js'

let work: string

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'codebox-php-module-'))
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

/** The record key the boot uses for a located module. */
function keyOf(location: Awaited<ReturnType<typeof locatePhpRuntime>>): string {
  return `${location.packageName}@${location.packageVersion}/${path.relative(location.packageDir, location.moduleFile).split(path.sep).join('/')}`
}

describe('the PHP module check', () => {
  it('refuses a truncated copy of the real module as one typed error naming the file, recording nothing', async () => {
    const location = await locatePhpRuntime('8.3')
    const real = await readFile(location.moduleFile)
    const truncated = path.join(work, 'php_8_3.truncated.wasm')
    await writeFile(truncated, real.subarray(0, Math.floor(real.byteLength / 2)))
    const cacheDir = path.join(work, 'cache-truncated')

    const error = await checkPhpModule({
      path: truncated,
      key: 'test/truncated.wasm',
      packageName: location.packageName,
      bytes: await readFile(truncated),
      cacheDir,
    }).catch((caught: unknown) => caught)

    expect(error).toBeInstanceOf(PhpModuleInvalidError)
    expect(error).toMatchObject({
      code: 'PHP_MODULE_INVALID',
      details: { file: truncated, problem: 'invalid-wasm' },
    })
    expect((error as Error).message).toContain(truncated)
    expect((error as Error).message).toContain(`reinstall ${location.packageName}`)
    await expect(readFile(path.join(cacheDir, PHP_MODULE_RECORD_FILE))).rejects.toThrow()
  })

  it('records the real module on first use and accepts it again', async () => {
    const location = await locatePhpRuntime('8.3')
    const cacheDir = path.join(work, 'cache-real')
    const check = {
      path: location.moduleFile,
      key: keyOf(location),
      packageName: location.packageName,
      bytes: await readFile(location.moduleFile),
      cacheDir,
    }
    const first = await checkPhpModule(check)
    expect(first).toBe((await fileDigest(location.moduleFile)).sha256)
    const record = JSON.parse(await readFile(path.join(cacheDir, PHP_MODULE_RECORD_FILE), 'utf8'))
    expect(record.entries[check.key]).toMatchObject({ sha256: first, sizeBytes: check.bytes.byteLength })
    expect(await checkPhpModule(check)).toBe(first)
  })

  it('stops a boot whose module differs from the digest recorded on first use, naming the file', async () => {
    // PHP 8.2 is compiled by no other test in this file, so this boot runs the check.
    const location = await locatePhpRuntime('8.2')
    const cacheDir = path.join(work, 'cache-changed')
    const recorded = {
      sha256: `sha256:${'0'.repeat(64)}`,
      sizeBytes: 1,
      firstSeen: '2026-01-01T00:00:00.000Z',
    }
    await mkdir(cacheDir, { recursive: true })
    await writeFile(
      path.join(cacheDir, PHP_MODULE_RECORD_FILE),
      JSON.stringify({ schema: 'codebox/php-modules/v1', entries: { [keyOf(location)]: recorded } }),
    )

    const error = await PhpWorker.start({ phpVersion: '8.2', cacheDir }).catch((caught: unknown) => caught)

    expect(error).toMatchObject({
      code: 'PHP_MODULE_INVALID',
      details: { file: location.moduleFile, problem: 'digest-changed', expected: recorded.sha256 },
    })
    expect((error as Error).message).toContain(location.moduleFile)
    expect((error as Error).message).toContain(keyOf(location))
  })
})
