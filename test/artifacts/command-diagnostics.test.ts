/**
 * Diagnostics in a bundle from the real Playground runtime name the command that raised them: the backend reports a
 * PHP fatal error through its create context, and runtime-core pins it on the one command running, with that
 * command's execution index and exit code.
 */
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { afterAll, beforeAll, expect, it } from 'vitest'

let work: string

beforeAll(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'codebox-diagnostics-')))
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

it('a PHP fatal error is recorded with its command, execution index and exit code', async () => {
  await using runtime = await createRuntime({
    backend: playground(),
    policy: { commands: { allow: ['wordpress.*'] } },
  })
  await runtime.execute({ command: 'wordpress.run-php', args: { bootstrap: 'none', code: '<?php echo 1;' } })
  const fatal = await runtime.execute({
    command: 'wordpress.run-php',
    args: { bootstrap: 'none', code: '<?php codebox_undefined_function();' },
  })
  expect(fatal.status).toBe('failed')
  const bundle = await runtime.collect({ directory: work })
  const { diagnostics } = JSON.parse(await readFile(join(bundle.path, 'diagnostics.json'), 'utf8'))
  expect(diagnostics).toEqual([
    expect.objectContaining({
      name: 'PHP_FATAL',
      command: 'wordpress.run-php',
      executionIndex: 1,
      exitCode: fatal.exitCode,
    }),
  ])
  expect(fatal.exitCode).not.toBeNull()
}, 120_000)
