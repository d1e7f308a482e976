/**
 * OPcache must never serve what the site no longer holds. Beside edited mounted files, new eval code and same-second
 * rewrites (`opcache-pool.test.ts`): a plugin activated, deactivated and edited takes effect at once, and a
 * checkpoint restore or a fork puts back the PHP files of the snapshot, not what OPcache compiled since.
 */
import { mkdtemp, realpath, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { playground } from '@codebox/backend-playground'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

type PlaygroundRuntime = Runtime<ReturnType<typeof playground>['commands']>

const policy = { commands: { allow: ['wordpress.*'] } } as const

async function php(runtime: PlaygroundRuntime, code: string): Promise<string> {
  const result = await runtime.execute({ command: 'wordpress.run-php', args: { code } })
  expect(result.status, result.stderr).toBe('ok')
  return result.stdout
}

/** A plugin file whose function says which version is loaded; old enough for OPcache to cache it at once. */
async function writePlugin(dir: string, version: string): Promise<void> {
  const file = join(dir, 'fresh-activation.php')
  await writeFile(
    file,
    `<?php\n/**\n * Plugin Name: Fresh activation\n */\nfunction codebox_fresh_activation() { return '${version}'; }\n`,
  )
  const past = new Date(Date.now() - 60_000 * (version === 'one' ? 2 : 1))
  await utimes(file, past, past)
}

const LOADED = `<?php echo function_exists('codebox_fresh_activation') ? codebox_fresh_activation() : 'inactive';`
const OPCACHE_ON = `<?php $s = opcache_get_status(false); echo json_encode(($s['opcache_enabled'] ?? false) && opcache_is_script_cached(ABSPATH . 'wp-settings.php'));`

describe('OPcache freshness (opcache: true)', () => {
  let host: string
  let runtime: PlaygroundRuntime

  beforeAll(async () => {
    host = await realpath(await mkdtemp(join(tmpdir(), 'codebox-opcache-fresh-')))
    await writePlugin(host, 'one')
    runtime = await createRuntime({
      backend: playground({ opcache: true }),
      policy: { ...policy, filesystem: { mounts: [{ path: host, modes: ['readonly'] }] } },
      mounts: [{ source: host, target: '/wordpress/wp-content/plugins/fresh-activation', mode: 'readonly' }],
    })
  }, 300_000)

  afterAll(async () => {
    await runtime?.destroy()
    await rm(host, { recursive: true, force: true })
  })

  it('applies plugin activation, deactivation and an edit of the plugin at once', async () => {
    await php(runtime, LOADED)
    expect(await php(runtime, OPCACHE_ON)).toBe('true')
    const plugin = { plugin: 'fresh-activation/fresh-activation.php' }
    expect((await runtime.execute({ command: 'wordpress.plugin-activate', args: plugin })).status).toBe('ok')
    expect(await php(runtime, LOADED)).toBe('one')
    expect((await runtime.execute({ command: 'wordpress.plugin-deactivate', args: plugin })).status).toBe(
      'ok',
    )
    expect(await php(runtime, LOADED)).toBe('inactive')
    await writePlugin(host, 'two')
    expect((await runtime.execute({ command: 'wordpress.plugin-activate', args: plugin })).status).toBe('ok')
    expect(await php(runtime, LOADED)).toBe('two')
  }, 180_000)

  it('serves the PHP files of a restored checkpoint and of a fork, not what was compiled since', async () => {
    const mu = 'WP_CONTENT_DIR . "/mu-plugins/codebox-fresh-restore.php"'
    // Each version gets its own past mtime, older than OPcache's file_update_protection. Two writes with the same
    // mtime would look unchanged to OPcache's timestamp check (as in any PHP), and whether two writes land in the
    // same second depends on the machine's speed.
    let age = 300
    const write = (word: string) => {
      age -= 60
      return php(
        runtime,
        `<?php file_put_contents(${mu}, "<?php function codebox_fresh_restore() { return '${word}'; }");
        touch(${mu}, time() - ${age}); echo 'ok';`,
      )
    }
    const READ = `<?php echo codebox_fresh_restore() . '|' . json_encode(opcache_is_script_cached(${mu}));`
    await write('checkpointed')
    expect(await php(runtime, READ)).toBe('checkpointed|true')
    await runtime.checkpoint('before-edit')
    const snapshot = await runtime.snapshot()
    await write('edited')
    expect(await php(runtime, READ)).toBe('edited|true')

    await runtime.restore('before-edit')
    expect((await php(runtime, READ)).split('|')[0]).toBe('checkpointed')

    await using fork = await createRuntime({ backend: playground({ opcache: true }), policy, from: snapshot })
    expect((await php(fork, READ)).split('|')[0]).toBe('checkpointed')
    await write('edited again')
    expect((await php(fork, READ)).split('|')[0]).toBe('checkpointed')
  }, 300_000)
})
