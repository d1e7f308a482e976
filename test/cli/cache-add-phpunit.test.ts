import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CliResultDocument, EXIT_CODES, runCli } from '@codebox/cli'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'codebox-cli-phpunit-'))
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

/** Runs `runCli` in this process with captured output. */
async function inProcess(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = { stdout: '', stderr: '' }
  const sink = (name: 'stdout' | 'stderr') =>
    ({
      write: (chunk: string | Uint8Array) => {
        output[name] += String(chunk)
        return true
      },
    }) as unknown as NodeJS.WritableStream
  const code = await runCli(argv, { stdout: sink('stdout'), stderr: sink('stderr') })
  return { code, ...output }
}

describe('codebox cache add of a PHPUnit toolkit part', () => {
  it('adds a WordPress test library for the version given, and says which field is missing without it', async () => {
    const library = join(work, 'tests-phpunit')
    await mkdir(join(library, 'includes'), { recursive: true })
    for (const file of ['bootstrap.php', 'install.php', 'factory.php'])
      await writeFile(join(library, 'includes', file), '<?php\n')
    const cacheDir = join(work, 'cache')
    const refused = await inProcess(['cache', 'add', library, '--cache-dir', cacheDir])
    expect(refused.code).toBe(EXIT_CODES.USAGE)
    expect(refused.stderr).toContain('error[RESOURCE_SPEC_INVALID]')
    expect(refused.stderr).toContain('$.version: ')
    expect(refused.stderr).toContain('--version 6.5')

    const added = await inProcess([
      'cache',
      'add',
      library,
      '--version',
      '6.5',
      '--cache-dir',
      cacheDir,
      '--json',
    ])
    expect(added.code).toBe(EXIT_CODES.OK)
    const document = JSON.parse(added.stdout) as CliResultDocument
    expect(document.result).toMatchObject({
      kind: 'phpunit',
      slug: 'wordpress-tests-lib',
      version: '6.5',
      path: join(cacheDir, 'phpunit', 'wordpress-tests-lib', '6.5'),
    })
  })
})
