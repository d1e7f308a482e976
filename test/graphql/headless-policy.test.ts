import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { playground } from '@codebox/backend-playground'
import { isHostAllowed } from '@codebox/policy'
import { createRuntime, type Runtime, type RuntimeEvent } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasWpGraphql, needsWpGraphql } from './wp-graphql-available.js'

const plugins = hasWpGraphql ? ['wp-graphql'] : []

/** A loopback HTTP server that counts the requests it gets. */
async function countingServer(): Promise<{ server: Server; port: number; hits: () => number }> {
  let hits = 0
  const server = createServer((_request, response) => {
    hits++
    response.end('reached')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as AddressInfo).port, hits: () => hits }
}

async function php(runtime: Runtime, code: string): Promise<Record<string, unknown>> {
  const result = await runtime.execute({ command: 'wordpress.run-php', args: { code } })
  if (result.status !== 'ok') throw new Error(`run-php ${result.status}: ${result.message} ${result.stdout}`)
  return JSON.parse(result.stdout) as Record<string, unknown>
}

async function http(runtime: Runtime, method: string, path: string, body?: string) {
  const result = await runtime.execute({
    command: 'wordpress.http-request',
    args: { method, path, ...(body === undefined ? {} : { body, headers: { 'content-type': 'text/xml' } }) },
  })
  if (result.status !== 'ok') throw new Error(`http-request ${result.status}: ${result.message}`)
  return result.value as { status: number; headers: Record<string, string>; body: string }
}

const FILE_MODS = `<?php wp_set_current_user(1); echo json_encode([
  'installPlugins' => current_user_can('install_plugins'),
  'editThemes' => current_user_can('edit_themes'),
  'fileModAllowed' => wp_is_file_mod_allowed('codebox_test'),
]);`
const AUTO_UPDATES = `<?php require_once ABSPATH . 'wp-admin/includes/class-wp-automatic-updater.php';
require_once ABSPATH . 'wp-admin/includes/update.php';
echo json_encode([
  'updaterDisabled' => (new WP_Automatic_Updater())->is_disabled(),
  'pluginAutoUpdates' => wp_is_auto_update_enabled_for_type('plugin'),
  'updateChecksScheduled' => (bool) has_action('init', 'wp_schedule_update_checks'),
]);`
const CRON = `<?php $_SERVER['REQUEST_URI'] = '/';
// WordPress may already have spawned WP-Cron while loading (the template has due events): record it, then clear the lock.
$spawnedWhileLoading = (float) get_transient('doing_cron') >= $_SERVER['REQUEST_TIME_FLOAT'] - 1;
delete_transient('doing_cron');
$spawned = [];
add_filter('pre_http_request', function ($pre, $args, $url) use (&$spawned) {
  $spawned[] = $url;
  return ['headers' => [], 'body' => '', 'response' => ['code' => 200, 'message' => 'OK'], 'cookies' => [], 'filename' => null];
}, 1, 3);
wp_schedule_single_event(time() - 60, 'codebox_test_due_event');
$ran = _wp_cron();
echo json_encode([
  'disabled' => defined('DISABLE_WP_CRON') && DISABLE_WP_CRON,
  'spawnedWhileLoading' => $spawnedWhileLoading,
  'spawnOnInit' => (bool) has_action('init', 'wp_cron'),
  'spawnedUrls' => $spawned,
  'scheduled' => (bool) wp_next_scheduled('codebox_test_due_event'),
]);
wp_clear_scheduled_hook('codebox_test_due_event');`
const UPLOADS = `<?php wp_set_current_user(1);
$bits = wp_upload_bits('codebox-upload.txt', null, 'hello');
echo json_encode([
  'uploadFiles' => current_user_can('upload_files'),
  'uploadBitsError' => $bits['error'],
  'written' => $bits['error'] === false && file_exists($bits['file']),
]);`
const XMLRPC_CALL =
  '<?xml version="1.0"?><methodCall><methodName>demo.sayHello</methodName><params></params></methodCall>'

function outbound(port: number): string {
  return `<?php $response = wp_remote_get('http://127.0.0.1:${port}/', ['timeout' => 2]);
  echo json_encode([
    'error' => is_wp_error($response) ? $response->get_error_code() : null,
    'message' => is_wp_error($response) ? $response->get_error_message() : null,
    'decision' => function_exists('codebox_headless_http_decision') ? codebox_headless_http_decision('http://127.0.0.1:${port}/') : null,
  ]);`
}

describe('the headless policy pack, every rule on (the default)', () => {
  let runtime: Runtime
  let refused: Awaited<ReturnType<typeof countingServer>>
  let allowed: Awaited<ReturnType<typeof countingServer>>
  const events: RuntimeEvent[] = []

  beforeAll(async () => {
    refused = await countingServer()
    allowed = await countingServer()
    runtime = (await createRuntime({
      backend: playground({ plugins }),
      policy: {
        commands: { allow: ['wordpress.*'] },
        network: { allowHosts: [`127.0.0.1:${allowed.port}`, '*.example.com', 'api.example.org:443'] },
      },
      cleanupOnExit: false,
    })) as unknown as Runtime
    runtime.on('*', (event) => events.push(event))
  }, 120_000)

  afterAll(async () => {
    await runtime?.destroy()
    refused?.server.close()
    allowed?.server.close()
  })

  it('forbids file modifications from inside WordPress, even for an administrator', async () => {
    expect(await php(runtime, FILE_MODS)).toEqual({
      installPlugins: false,
      editThemes: false,
      fileModAllowed: false,
    })
  })

  it('turns automatic updates and update checks off', async () => {
    expect(await php(runtime, AUTO_UPDATES)).toEqual({
      updaterDisabled: true,
      pluginAutoUpdates: false,
      updateChecksScheduled: false,
    })
  })

  it('never spawns WP-Cron in-process, while events can still be scheduled for an outside runner', async () => {
    expect(await php(runtime, CRON)).toEqual({
      disabled: true,
      spawnedWhileLoading: false,
      spawnOnInit: false,
      spawnedUrls: [],
      scheduled: true,
    })
  })

  it('refuses local uploads: no upload_files capability, wp_upload_bits fails, POST /wp/v2/media is 403', async () => {
    const result = await php(runtime, UPLOADS)
    expect(result).toMatchObject({ uploadFiles: false, written: false })
    expect(result.uploadBitsError).toMatch(/Uploads are disabled in this headless runtime/)
    const media = await runtime.execute({
      command: 'wordpress.rest-request',
      args: { route: '/wp/v2/media', method: 'POST', params: { title: 'x' } },
    })
    expect(media.status).toBe('ok')
    expect((media as { value: unknown }).value).toMatchObject({
      status: 403,
      data: { code: 'codebox_uploads_disabled' },
    })
  })

  it('refuses outbound WordPress HTTP to a host the policy does not allow, records network.blocked, and the server gets no hit', async () => {
    const before = events.length
    const result = await php(runtime, outbound(refused.port))
    expect(result.error).toBe('codebox_http_blocked')
    expect(result.message).toMatch(`Outbound HTTP to 127.0.0.1 is not allowed`)
    expect(refused.hits()).toBe(0)
    expect(events.slice(before)).toContainEqual(
      expect.objectContaining({
        type: 'network.blocked',
        host: '127.0.0.1',
        port: refused.port,
        via: 'wordpress-http',
      }),
    )
  })

  it('lets outbound WordPress HTTP through the pack to a host:port in policy.network.allowHosts', async () => {
    const result = await php(runtime, outbound(allowed.port))
    expect(result.decision).toMatchObject({ allowed: true, host: '127.0.0.1', port: allowed.port })
    // Neither the pack nor the socket layer refused: the request reached the allowed server.
    expect(result.error).toBeNull()
    expect(allowed.hits()).toBeGreaterThan(0)
  })

  it('decides every URL the way isHostAllowed of @codebox/policy does, or refuses (never allows more)', async () => {
    const urls = [
      `http://127.0.0.1:${allowed.port}/`,
      `http://127.0.0.1:${refused.port}/`,
      'http://127.0.0.1/',
      'https://api.example.com/v1',
      'https://a.b.example.com/',
      'https://example.com/',
      'https://evil-example.com/',
      'https://example.com.evil.net/',
      'https://API.EXAMPLE.COM./',
      'https://api.example.org/',
      'http://api.example.org/',
      'https://api.example.org:443/',
      'https://user@api.example.org/',
      'https://127.0.0.1.example.com/',
      'http://[::1]/',
      'ftp://api.example.com/',
      'http://1.2.3.4.example.com:8080/',
    ]
    const decisions = (await php(
      runtime,
      `<?php echo json_encode(array_map('codebox_headless_http_decision', ${JSON.stringify(urls).replace(/^\[/, '[').replace(/\]$/, ']')}));`,
    )) as unknown as { allowed: boolean }[]
    const network = runtime.policy.network
    for (const [index, url] of urls.entries()) {
      const parsed = new URL(url)
      const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80
      const expected =
        ['http:', 'https:'].includes(parsed.protocol) && isHostAllowed(network, parsed.hostname, port)
      expect({ url, allowed: decisions[index]?.allowed }).toEqual({ url, allowed: expected })
    }
  })

  it('answers POST /xmlrpc.php with 403 and runs no XML-RPC method', async () => {
    const response = await http(runtime, 'POST', '/xmlrpc.php', XMLRPC_CALL)
    expect(response.status).toBe(403)
    expect(response.body).toMatch(/XML-RPC is disabled/)
    expect(response.body).not.toMatch(/Hello!/)
  })

  it('answers front-end URLs with 404 JSON while /wp-json/ keeps working', async () => {
    for (const path of ['/', '/?p=1', '/feed/', '/hello-world/']) {
      const response = await http(runtime, 'GET', path)
      expect({ path, status: response.status }).toEqual({ path, status: 404 })
      expect(JSON.parse(response.body)).toMatchObject({ code: 'codebox_headless_no_frontend', status: 404 })
    }
    const rest = await http(runtime, 'GET', '/wp-json/')
    expect(rest.status).toBe(200)
    expect(JSON.parse(rest.body)).toHaveProperty('namespaces')
  })

  it.skipIf(!hasWpGraphql)(`keeps /graphql working with the front end off ${needsWpGraphql}`, async () => {
    const result = await runtime.execute({
      command: 'wordpress.graphql',
      args: { query: '{ generalSettings { title } }' },
    })
    expect(result.status).toBe('ok')
    expect((result as { value: { httpStatus: number } }).value.httpStatus).toBe(200)
  })
})

describe('the headless policy pack with every rule switched off', () => {
  let runtime: Runtime
  let target: Awaited<ReturnType<typeof countingServer>>

  beforeAll(async () => {
    target = await countingServer()
    runtime = (await createRuntime({
      backend: playground({
        plugins,
        headless: {
          fileMods: false,
          autoUpdates: false,
          cron: false,
          uploads: false,
          outboundHttp: false,
          xmlrpc: false,
          frontend: false,
        },
      }),
      policy: { commands: { allow: ['wordpress.*'] } },
      cleanupOnExit: false,
    })) as unknown as Runtime
  }, 120_000)

  afterAll(async () => {
    await runtime?.destroy()
    target?.server.close()
  })

  it('lets an administrator install and edit plugins and themes', async () => {
    expect(await php(runtime, FILE_MODS)).toEqual({
      installPlugins: true,
      editThemes: true,
      fileModAllowed: true,
    })
  })

  it('leaves automatic updates and update checks on', async () => {
    expect(await php(runtime, AUTO_UPDATES)).toEqual({
      updaterDisabled: false,
      pluginAutoUpdates: true,
      updateChecksScheduled: true,
    })
  })

  it('spawns WP-Cron for a due event', async () => {
    // Make an event due before the next load, so WordPress has something to spawn WP-Cron for whatever the
    // template's own schedule is (a freshly built template may have run its due events in its warm-up request).
    await php(
      runtime,
      `<?php wp_schedule_single_event(time() - 60, 'codebox_test_due_before_load'); delete_transient('doing_cron'); echo json_encode(true);`,
    )
    const result = await php(runtime, CRON)
    expect(result).toMatchObject({
      disabled: false,
      spawnedWhileLoading: true,
      spawnOnInit: true,
      scheduled: true,
    })
    expect(result.spawnedUrls).toEqual([expect.stringContaining('/wp-cron.php?doing_wp_cron=')])
  })

  it('accepts local uploads', async () => {
    expect(await php(runtime, UPLOADS)).toEqual({ uploadFiles: true, uploadBitsError: false, written: true })
  })

  it('does not refuse outbound WordPress HTTP in the pack (the socket layer still applies the policy)', async () => {
    const result = await php(runtime, outbound(target.port))
    expect(result.decision).toMatchObject({ allowed: true, reason: 'rule off' })
    expect(result.error).not.toBe('codebox_http_blocked')
    // This runtime's network policy is the default deny, so the socket layer still keeps the server unreached.
    expect(result.error).not.toBeNull()
    expect(target.hits()).toBe(0)
  })

  it('serves XML-RPC', async () => {
    const response = await http(runtime, 'POST', '/xmlrpc.php', XMLRPC_CALL)
    expect(response.status).toBe(200)
    expect(response.body).toMatch(/Hello!/)
  })

  it('renders the theme front end', async () => {
    const response = await http(runtime, 'GET', '/')
    expect(response.status).toBe(200)
    expect(response.headers['content-type']).toMatch(/text\/html/)
  })
})

describe('headless options', () => {
  it('answers front-end URLs with the configured frontendStatus 410', async () => {
    await using runtime = (await createRuntime({
      backend: playground({ headless: { frontendStatus: 410 } }),
      policy: { commands: { allow: ['wordpress.*'] } },
      cleanupOnExit: false,
    })) as unknown as Runtime
    const response = await http(runtime, 'GET', '/')
    expect(response.status).toBe(410)
  }, 120_000)

  it('installs no pack with headless: false', async () => {
    await using runtime = (await createRuntime({
      backend: playground({ headless: false }),
      policy: { commands: { allow: ['wordpress.*'] } },
      cleanupOnExit: false,
    })) as unknown as Runtime
    expect(
      await php(
        runtime,
        `<?php echo json_encode(['pack' => file_exists(WPMU_PLUGIN_DIR . '/codebox-headless.php'), 'guardrails' => file_exists(WPMU_PLUGIN_DIR . '/codebox-graphql-guardrails.php'), 'xmlrpc' => function_exists('codebox_headless_http_decision')]);`,
      ),
    ).toEqual({ pack: false, guardrails: true, xmlrpc: false })
  }, 120_000)

  it('rejects an unknown rule name with PLAYGROUND_OPTIONS_INVALID naming the field', () => {
    expect(() => playground({ headless: { noSuchRule: true } as never })).toThrow(
      expect.objectContaining({
        code: 'PLAYGROUND_OPTIONS_INVALID',
        message: expect.stringContaining('$.headless'),
      }),
    )
  })
})
