import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createResourceResolver, PlaygroundOptionsError, playground } from '@codebox/backend-playground'
import { createRuntime, type Runtime, type RuntimeEvent } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

type PlaygroundRuntime = Runtime<ReturnType<typeof playground>['commands']>

const wpCliAvailable = await createResourceResolver({ download: false })
  .resolveTool('wp-cli')
  .then(
    () => true,
    () => false,
  )

describe('wordpress.* commands against a real WordPress', () => {
  let runtime: PlaygroundRuntime
  const events: RuntimeEvent[] = []

  beforeAll(async () => {
    runtime = await createRuntime({ backend: playground(), policy: { commands: { allow: ['wordpress.*'] } } })
    runtime.on('*', (event) => events.push(event))
  }, 120_000)

  afterAll(async () => {
    await runtime?.destroy()
  })

  it('runs PHP with WordPress loaded by default, or bare', async () => {
    const loaded = await runtime.execute({
      command: 'wordpress.run-php',
      args: { code: '<?php echo get_bloginfo("version"), "|", PHP_VERSION;' },
    })
    expect(loaded.status).toBe('ok')
    expect(loaded.stdout).toMatch(/^6\.5\.\d+\|8\.3\.\d+$/)
    const bare = await runtime.execute({
      command: 'wordpress.run-php',
      args: { code: '<?php echo function_exists("get_bloginfo") ? "wp" : "bare";', bootstrap: 'none' },
    })
    expect(bare.stdout).toBe('bare')
  }, 30_000)

  it('reports a PHP fatal as a failed result and a diagnostic event with file and line', async () => {
    const result = await runtime.execute({
      command: 'wordpress.run-php',
      args: { code: '<?php\n\ncodebox_no_such_function();', bootstrap: 'none' },
    })
    expect(result.status).toBe('failed')
    expect(result.status === 'failed' && result.message).toMatch(/codebox_no_such_function/)
    const diagnostic = events.find(
      (event) => event.type === 'diagnostic' && event.message.includes('codebox_no_such_function'),
    )
    expect(diagnostic).toMatchObject({ type: 'diagnostic', severity: 'error', line: 3 })
    expect(diagnostic && 'file' in diagnostic && diagnostic.file).toBeTruthy()
  }, 30_000)

  it('turns PHP error-log lines into log events', async () => {
    await runtime.execute({
      command: 'wordpress.run-php',
      args: { code: '<?php error_log("codebox log line 7f3");', bootstrap: 'none' },
    })
    expect(
      events.some((event) => event.type === 'log' && event.message.includes('codebox log line 7f3')),
    ).toBe(true)
  }, 30_000)

  it('streams stdout as command.output chunks while PHP runs', async () => {
    const result = await runtime.execute({
      command: 'wordpress.run-php',
      args: {
        code: '<?php for ($i = 0; $i < 3; $i++) { echo "chunk$i\\n"; flush(); usleep(60000); }',
        bootstrap: 'none',
      },
    })
    const chunks = events.filter((event) => event.type === 'command.output' && event.commandId === result.id)
    expect(chunks.length).toBeGreaterThanOrEqual(2)
    expect(chunks.map((event) => (event.type === 'command.output' ? event.chunk : '')).join('')).toBe(
      'chunk0\nchunk1\nchunk2\n',
    )
  }, 30_000)

  it('sends HTTP requests to WordPress in-process', async () => {
    const result = await runtime.execute({
      command: 'wordpress.http-request',
      args: { path: '/wp-json/', headers: { accept: 'application/json' } },
    })
    expect(result.status).toBe('ok')
    if (result.status !== 'ok') return
    expect(result.value.status).toBe(200)
    expect(result.value.headers['content-type']).toContain('application/json')
    expect(JSON.parse(result.value.body).namespaces).toContain('wp/v2')
  }, 30_000)

  it('dispatches REST requests as admin by default and as anonymous on request', async () => {
    const created = await runtime.execute({
      command: 'wordpress.rest-request',
      args: { route: '/wp/v2/posts', method: 'POST', params: { title: 'From REST', status: 'publish' } },
    })
    expect(created.status).toBe('ok')
    if (created.status !== 'ok') return
    expect(created.value.status).toBe(201)
    expect((created.value.data as { title: { raw: string } }).title.raw).toBe('From REST')
    const anonymous = await runtime.execute({
      command: 'wordpress.rest-request',
      args: { route: '/wp/v2/posts', method: 'POST', params: { title: 'nope' }, as: 'anonymous' },
    })
    expect(anonymous.status === 'ok' && anonymous.value.status).toBe(401)
  }, 30_000)

  it('lists, activates and deactivates plugins', async () => {
    const listed = await runtime.execute({ command: 'wordpress.plugin-list', args: {} })
    expect(listed.status).toBe('ok')
    if (listed.status !== 'ok') return
    const hello = listed.value.find((plugin) => plugin.file === 'hello.php')
    expect(hello).toMatchObject({ name: 'Hello Dolly', active: false })
    expect(
      (await runtime.execute({ command: 'wordpress.plugin-activate', args: { plugin: 'hello' } })).status,
    ).toBe('ok')
    const active = await runtime.execute({ command: 'wordpress.plugin-list', args: {} })
    expect(active.status === 'ok' && active.value.find((plugin) => plugin.file === 'hello.php')?.active).toBe(
      true,
    )
    expect(
      (await runtime.execute({ command: 'wordpress.plugin-deactivate', args: { plugin: 'hello.php' } }))
        .status,
    ).toBe('ok')
    const missing = await runtime.execute({
      command: 'wordpress.plugin-activate',
      args: { plugin: 'no-such-plugin' },
    })
    expect(missing.status).toBe('failed')
    expect(missing.status === 'failed' && missing.message).toMatch(
      /No installed plugin matches "no-such-plugin"/,
    )
  }, 30_000)

  it('gets and sets options, including structured values', async () => {
    const set = await runtime.execute({
      command: 'wordpress.option-set',
      args: { name: 'codebox_structured', value: { a: [1, 2], b: 'two' } },
    })
    expect(set.status).toBe('ok')
    const got = await runtime.execute({
      command: 'wordpress.option-get',
      args: { name: 'codebox_structured' },
    })
    expect(got.status === 'ok' && got.value).toEqual({ exists: true, value: { a: [1, 2], b: 'two' } })
    const absent = await runtime.execute({
      command: 'wordpress.option-get',
      args: { name: 'codebox_absent_option' },
    })
    expect(absent.status === 'ok' && absent.value).toEqual({ exists: false, value: null })
  }, 30_000)

  it.skipIf(!wpCliAvailable)(
    'runs a real wp-cli.phar (skipped when wp-cli is not in the codebox cache)',
    async () => {
      const result = await runtime.execute({
        command: 'wordpress.wp-cli',
        args: { argv: ['option', 'get', 'blogname'] },
      })
      expect(result.status).toBe('ok')
      expect(result.stdout.trim().length).toBeGreaterThan(0)
      const version = await runtime.execute({
        command: 'wordpress.wp-cli',
        args: { argv: ['wp', 'cli', 'version'] },
      })
      expect(version.stdout).toMatch(/WP-CLI \d+\.\d+/)
      // The phar that ran is part of what the runtime is made of, with its hash.
      expect(runtime.provenance.components).toContainEqual(
        expect.objectContaining({
          kind: 'tool',
          name: 'wp-cli',
          version: expect.stringMatching(/^\d+\.\d+/),
          sha256: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        }),
      )
    },
    60_000,
  )
})

describe('wp-cli without a wp-cli.phar', () => {
  it('fails with RESOURCE_UNAVAILABLE saying where it looked and how to provide it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'codebox-empty-cache-'))
    const runtime = await createRuntime({
      backend: playground({ cacheDir: empty, download: false }),
      policy: { commands: { allow: ['wordpress.*'] } },
    })
    try {
      const started = performance.now()
      const result = await runtime.execute({
        command: 'wordpress.wp-cli',
        args: { argv: ['cli', 'version'] },
      })
      expect(performance.now() - started).toBeLessThan(2_000)
      expect(result.status).toBe('failed')
      if (result.status !== 'failed') return
      expect(result.code).toBe('RESOURCE_UNAVAILABLE')
      expect(result.message).toMatch(/wp-cli/)
      expect(result.message).toMatch(/cache/)
    } finally {
      await runtime.destroy()
      await rm(empty, { recursive: true, force: true })
    }
  }, 120_000)
})

describe('playground() options', () => {
  it('rejects invalid options with a typed error naming each field', () => {
    const error = (() => {
      try {
        playground({ php: '5.6' as never, siteUrl: 'ftp://x', constants: { 'not a name': 1 } })
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(PlaygroundOptionsError)
    const paths = (error as PlaygroundOptionsError).issues.map((issue) => issue.path)
    expect(paths).toEqual(expect.arrayContaining(['$.php', '$.siteUrl', '$.constants["not a name"]']))
  })

  it('rejects an unknown WordPress version before booting', async () => {
    const error = await createRuntime({
      backend: playground({ wordpress: '4.0' }),
      policy: { commands: { allow: ['wordpress.*'] } },
    }).catch((e: unknown) => e)
    expect((error as { code?: string }).code).toBe('WORDPRESS_UNAVAILABLE')
  })
})
