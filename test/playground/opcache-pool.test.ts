import { mkdtemp, realpath, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { playground, playgroundPool } from '@codebox/backend-playground'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { progressMessages } from './progress-messages.js'

type PlaygroundRuntime = Runtime<ReturnType<typeof playground>['commands']>

const policy = { commands: { allow: ['wordpress.*'] } } as const

async function stdoutOf(runtime: PlaygroundRuntime, code: string, bootstrap?: 'none'): Promise<string> {
  const result = await runtime.execute({
    command: 'wordpress.run-php',
    args: { code, ...(bootstrap ? { bootstrap } : {}) },
  })
  expect(result.status, result.stderr).toBe('ok')
  return result.stdout
}

describe('opcache: true', () => {
  let host: string
  let runtime: PlaygroundRuntime

  beforeAll(async () => {
    host = await realpath(await mkdtemp(join(tmpdir(), 'codebox-opcache-')))
    await writeFile(join(host, 'fresh-plugin.php'), "<?php return 'version one';\n")
    // Old enough for OPcache to cache it (it never caches files changed in the last 2 seconds).
    const past = new Date(Date.now() - 60_000)
    await utimes(join(host, 'fresh-plugin.php'), past, past)
    runtime = await createRuntime({
      backend: playground({ opcache: true }),
      policy: { ...policy, filesystem: { mounts: [{ path: host, modes: ['readonly'] }] } },
      mounts: [{ source: host, target: '/wordpress/wp-content/plugins/fresh-plugin', mode: 'readonly' }],
    })
  }, 120_000)

  afterAll(async () => {
    await runtime?.destroy()
    await rm(host, { recursive: true, force: true })
  })

  it('really caches compiled WordPress scripts between commands', async () => {
    await stdoutOf(runtime, '<?php echo get_bloginfo("name");')
    const status = JSON.parse(
      await stdoutOf(
        runtime,
        `<?php $s = opcache_get_status(false); echo json_encode([
          'enabled' => $s['opcache_enabled'] ?? false,
          'cached' => $s['opcache_statistics']['num_cached_scripts'] ?? 0,
          'settings' => opcache_is_script_cached(ABSPATH . 'wp-settings.php'),
        ]);`,
      ),
    )
    expect(status.enabled).toBe(true)
    expect(status.cached).toBeGreaterThan(50)
    expect(status.settings).toBe(true)
  })

  it('finds WordPress core already cacheable on the first request of a runtime built from a brand-new template', async () => {
    // A template built seconds ago is the worst case: its files must not carry "just written" mtimes, or OPcache
    // (file_update_protection) refuses to cache core until they are two seconds old.
    const cacheDir = await realpath(await mkdtemp(join(tmpdir(), 'codebox-opcache-cache-')))
    try {
      await using fresh = await createRuntime({ backend: playground({ opcache: true, cacheDir }), policy })
      const first = JSON.parse(
        await stdoutOf(
          fresh,
          `<?php echo json_encode(array_map('opcache_is_script_cached', [
            ABSPATH . 'wp-settings.php', ABSPATH . 'wp-config.php', ABSPATH . 'wp-includes/plugin.php',
            WP_CONTENT_DIR . '/db.php',
          ]));`,
        ),
      )
      expect(first).toEqual([true, true, true, true])
    } finally {
      await rm(cacheDir, { recursive: true, force: true })
    }
  }, 180_000)

  it('runs new eval code at once, even when it is sent twice within a second', async () => {
    const outputs: string[] = []
    for (const word of ['alpha', 'bravo', 'charlie']) {
      outputs.push(await stdoutOf(runtime, `<?php echo '${word}';`, 'none'))
    }
    expect(outputs).toEqual(['alpha', 'bravo', 'charlie'])
  })

  it('serves an edited plugin file at once after the old version was cached', async () => {
    const plugin = '/wordpress/wp-content/plugins/fresh-plugin/fresh-plugin.php'
    const first = await stdoutOf(
      runtime,
      `<?php echo (include '${plugin}') . '|' . json_encode(opcache_is_script_cached('${plugin}'));`,
      'none',
    )
    expect(first).toBe('version one|true')
    // The developer edits the plugin on the host while the runtime keeps running.
    await writeFile(join(host, 'fresh-plugin.php'), "<?php return 'version two';\n")
    const second = await stdoutOf(runtime, `<?php echo include '${plugin}';`, 'none')
    expect(second).toBe('version two')
  })

  it('serves a file rewritten by PHP inside the same second', async () => {
    const out = await stdoutOf(
      runtime,
      `<?php
      $f = sys_get_temp_dir() . '/codebox-opcache-rewrite.php';
      file_put_contents($f, "<?php return 'first';");
      touch($f, time() - 30);
      $a = include $f;
      $cached = opcache_is_script_cached($f);
      file_put_contents($f, "<?php return 'second';");
      $b = include $f;
      file_put_contents($f, "<?php return 'third';");
      $c = include $f;
      echo json_encode([$a, $cached, $b, $c]);`,
      'none',
    )
    expect(JSON.parse(out)).toEqual(['first', true, 'second', 'third'])
  })
})

describe('pool: { size: 1 }', () => {
  afterAll(async () => {
    await playgroundPool.drain()
  })

  it('forks from a pre-started worker, keeps the snapshot state, and refills in the background', async () => {
    const backend = playground({ pool: { size: 1 } })
    const parent = await createRuntime({ backend, policy })
    await stdoutOf(parent, `<?php update_option('blogname', 'Pooled parent');`)
    const snapshot = await parent.snapshot()
    // The first fork of a template registers its configuration with the pool; the pool fills behind it.
    const first = await createRuntime({ backend, policy, from: snapshot })
    await first.destroy()
    expect(await playgroundPool.whenFull({ timeoutMs: 240_000 })).toBe(true)
    expect(playgroundPool.stats().ready).toBeGreaterThanOrEqual(1)

    const child = await createRuntime({ backend, policy, from: snapshot })
    const messages = await progressMessages(child)
    // The pool is kept per snapshot: the worker was primed with this snapshot before it was handed out.
    expect(messages).toContain('took a pre-started PHP worker from the pool, the snapshot already restored')
    expect(await stdoutOf(child, `<?php echo get_option('blogname');`)).toBe('Pooled parent')

    // The child's writes are its own: the parent and the next pooled runtime do not see them.
    await stdoutOf(child, `<?php update_option('blogname', 'Pooled child');`)
    expect(await stdoutOf(parent, `<?php echo get_option('blogname');`)).toBe('Pooled parent')
    expect(await playgroundPool.whenFull({ timeoutMs: 240_000 })).toBe(true)
    const sibling = await createRuntime({ backend, policy, from: snapshot })
    expect(await stdoutOf(sibling, `<?php echo get_option('blogname');`)).toBe('Pooled parent')

    await Promise.all([parent.destroy(), child.destroy(), sibling.destroy()])
  }, 600_000)

  it('hands a create the worker still starting rather than booting a second PHP beside it', async () => {
    const backend = playground({ pool: { size: 1 } })
    const parent = await createRuntime({ backend, policy })
    await stdoutOf(parent, `<?php update_option('blogname', 'Claimed parent');`)
    const snapshot = await parent.snapshot()
    await (await createRuntime({ backend, policy, from: snapshot })).destroy()
    expect(await playgroundPool.whenFull({ timeoutMs: 240_000 })).toBe(true)

    // Two forks at once from a pool of one: one takes the ready worker, which starts a refill; the other finds that
    // refill still starting and claims it (its warm-up stops, the snapshot state is put back) instead of booting.
    const children = await Promise.all([
      createRuntime({ backend, policy, from: snapshot }),
      createRuntime({ backend, policy, from: snapshot }),
    ])
    for (const child of children) {
      expect(await progressMessages(child)).toContain(
        'took a pre-started PHP worker from the pool, the snapshot already restored',
      )
      expect(await stdoutOf(child, `<?php echo get_option('blogname');`)).toBe('Claimed parent')
    }
    const [first, second] = children
    await stdoutOf(first!, `<?php update_option('blogname', 'First child');`)
    expect(await stdoutOf(second!, `<?php echo get_option('blogname');`)).toBe('Claimed parent')

    await Promise.all([parent.destroy(), ...children.map((child) => child.destroy())])
  }, 600_000)

  it('stops idle pooled workers on drain()', async () => {
    await playgroundPool.drain()
    expect(playgroundPool.stats()).toEqual({ configurations: 0, ready: 0, starting: 0 })
  })
})
