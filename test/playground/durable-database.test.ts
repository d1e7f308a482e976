import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { playground } from '@codebox/backend-playground'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

type PlaygroundRuntime = Runtime<ReturnType<typeof playground>['commands']>

const policy = { commands: { allow: ['wordpress.*'] } } as const
const PLUGIN = fileURLToPath(new URL('../../examples/recipes/plugins/healthy-stack', import.meta.url))
const plugins = [{ slug: 'healthy-stack', version: '1.0.0', source: PLUGIN }]
const muPlugins = {
  'codebox-test-rules.php':
    "<?php add_filter('option_blogdescription', fn () => 'set by a must-use plugin');",
}

const option = async (runtime: PlaygroundRuntime, name: string) => {
  const result = await runtime.execute({
    command: 'wordpress.option-get',
    args: { name },
    throwOnFailure: true,
  })
  if (result.status !== 'ok') throw new Error(result.message)
  return result.value.value
}

describe('playground({ database }): a durable database on the host', () => {
  let work: string
  let directory: string
  let runtime: PlaygroundRuntime | undefined

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codebox-durable-db-'))
    directory = join(work, 'acme', 'database')
  })

  afterAll(async () => {
    await runtime?.destroy()
    await rm(work, { recursive: true, force: true })
  })

  it('initialises an empty directory from the template and keeps writes (and adds plugins) for the next runtime', async () => {
    runtime = await createRuntime({ backend: playground({ database: { directory } }), policy })
    expect((await readdir(directory)).sort()).toEqual([
      '.codebox-activated-plugins.json',
      '.ht.sqlite',
      'index.php',
    ])
    await runtime.execute({
      command: 'wordpress.option-set',
      args: { name: 'codebox_durable', value: 'first runtime' },
      throwOnFailure: true,
    })
    await runtime.destroy()

    // A plugin the second runtime adds is activated in the existing database (the template's state is not used).
    runtime = await createRuntime({
      backend: playground({ database: { directory }, muPlugins, plugins }),
      policy,
    })
    expect(await option(runtime, 'codebox_durable')).toBe('first runtime')
    const listed = await runtime.execute({ command: 'wordpress.plugin-list', args: {}, throwOnFailure: true })
    expect(listed.status === 'ok' && listed.value).toContainEqual(
      expect.objectContaining({ active: true, file: expect.stringContaining('healthy-stack') }),
    )
  }, 180_000)

  it('keeps the database on disk when a lost PHP worker is recovered', async () => {
    const live = runtime as PlaygroundRuntime
    await live.execute({
      command: 'wordpress.option-set',
      args: { name: 'codebox_before_crash', value: 'kept' },
      throwOnFailure: true,
    })
    // A runaway script is stopped at its deadline: the worker is replaced and the runtime recovered.
    const runaway = await live.execute({
      command: 'wordpress.run-php',
      args: { code: '<?php while (true) {}' },
      timeoutMs: 1_500,
    })
    expect(runaway.status).toBe('timed-out')
    expect(await option(live, 'codebox_before_crash')).toBe('kept')
    expect(await option(live, 'codebox_durable')).toBe('first runtime')
    // The embedding program's must-use plugins are put back on the new worker too.
    expect(await option(live, 'blogdescription')).toBe('set by a must-use plugin')
  }, 180_000)

  it('takes snapshots that carry the database, and forks them into an in-memory runtime', async () => {
    const live = runtime as PlaygroundRuntime
    const snapshot = await live.snapshot()
    const fork = await createRuntime({ backend: playground({ plugins }), from: snapshot, policy })
    try {
      expect(await option(fork, 'codebox_before_crash')).toBe('kept')
      await fork.execute({
        command: 'wordpress.option-set',
        args: { name: 'codebox_before_crash', value: 'changed in the fork' },
        throwOnFailure: true,
      })
    } finally {
      await fork.destroy()
    }
    // The fork's database is its own: the durable one is untouched.
    expect(await option(live, 'codebox_before_crash')).toBe('kept')
    expect(existsSync(join(directory, '.ht.sqlite-journal'))).toBe(false)
  }, 180_000)

  it('refuses a relative directory with the field and the fix', () => {
    expect(() => playground({ database: { directory: 'data/acme' } })).toThrow(
      expect.objectContaining({
        code: 'PLAYGROUND_OPTIONS_INVALID',
        issues: [expect.objectContaining({ path: '$.database.directory' })],
      }),
    )
  })
})
