import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AddedUser, type Host, startHost } from '../src/index.js'
import { basicAuth, type HostRequestOptions, hostRequest } from './host-request.js'
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from './local-s3.js'

// Two tenants on one host, without WPGraphQL (REST only), so these run everywhere: routing, isolation, credentials,
// spoofing and path tricks, bounds, media ingest on a filesystem store and on S3, metrics and audit trails.

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
)
const ACME_TOKEN = 'acme-media-token-0123456789'
const GLOBEX_TOKEN = 'globex-media-token-9876543210'

describe('a host with two tenants (REST, no WPGraphQL needed)', () => {
  let work: string
  let s3: Awaited<ReturnType<typeof startLocalS3>>
  let host: Host
  let editor: AddedUser
  let admin: AddedUser
  let globexEditor: AddedUser
  const send = (tenant: string, options: Omit<HostRequestOptions, 'host'>) =>
    hostRequest(host.url, { host: tenant, ...options })
  const titles = async (tenant: string) =>
    (await send(tenant, { path: '/wp-json/wp/v2/posts?per_page=100' }))
      .json<{ title: { rendered: string } }[]>()
      .map((post) => post.title.rendered)

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'codebox-host-isolation-'))
    s3 = await startLocalS3(['media'])
    host = await startHost({
      manifest: {
        schema: 'codebox/tenant-manifest/v1',
        tenants: [
          {
            id: 'acme',
            domains: ['acme.test', 'www.acme.test'],
            limits: { maxBodyBytes: 4096 },
            snapshots: { keep: 2 },
            media: {
              tokenEnv: 'ACME_MEDIA_TOKEN',
              maxBytes: 2048,
              store: { kind: 'filesystem', publicBaseUrl: 'https://cdn.acme.test/media' },
            },
          },
          {
            id: 'globex',
            domains: ['globex.test'],
            limits: { maxConcurrent: 1, maxQueued: 0 },
            media: {
              tokenEnv: 'GLOBEX_MEDIA_TOKEN',
              store: {
                kind: 's3',
                bucket: 'media',
                endpoint: s3.endpoint,
                forcePathStyle: true,
                accessKeyIdEnv: 'GLOBEX_S3_KEY_ID',
                secretAccessKeyEnv: 'GLOBEX_S3_SECRET',
                publicBaseUrl: 'https://media.globex.test/',
              },
            },
          },
        ],
      },
      dataDir: path.join(work, 'data'),
      http: { headersTimeoutMs: 1_000 },
      env: {
        ACME_MEDIA_TOKEN: ACME_TOKEN,
        GLOBEX_MEDIA_TOKEN: GLOBEX_TOKEN,
        GLOBEX_S3_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
        GLOBEX_S3_SECRET: LOCAL_S3_CREDENTIALS.secretAccessKey,
      },
    })
    expect(host.tenants().map((tenant) => tenant.state)).toEqual(['ready', 'ready'])
    editor = await host.addUser('acme', 'ed', 'editor')
    admin = await host.addUser('acme', 'boss', 'administrator')
    globexEditor = await host.addUser('globex', 'gl', 'editor')
  }, 300_000)

  afterAll(async () => {
    await host?.close()
    await s3?.close()
    if (work) await rm(work, { recursive: true, force: true })
  }, 120_000)

  it('keeps each tenant’s posts and options to itself', async () => {
    const created = await send('acme.test', {
      method: 'POST',
      path: '/wp-json/wp/v2/posts',
      headers: {
        authorization: basicAuth('ed', editor.applicationPassword),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ title: 'Acme only', status: 'publish' }),
    })
    expect(created.status).toBe(201)
    expect(await titles('acme.test')).toContain('Acme only')
    expect(await titles('www.acme.test')).toContain('Acme only')
    expect(await titles('globex.test')).not.toContain('Acme only')

    const renamed = await send('acme.test', {
      method: 'POST',
      path: '/wp-json/wp/v2/settings',
      headers: {
        authorization: basicAuth('boss', admin.applicationPassword),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ title: 'Acme Site' }),
    })
    expect(renamed.status).toBe(200)
    expect((await send('acme.test', { path: '/wp-json/' })).json<{ name: string }>().name).toBe('Acme Site')
    expect((await send('globex.test', { path: '/wp-json/' })).json<{ name: string }>().name).not.toBe(
      'Acme Site',
    )
  }, 120_000)

  it('refuses one tenant’s credentials on another', async () => {
    const response = await send('acme.test', {
      method: 'POST',
      path: '/wp-json/wp/v2/posts',
      headers: {
        authorization: basicAuth('gl', globexEditor.applicationPassword),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ title: 'From globex', status: 'publish' }),
    })
    expect(response.status).toBe(401)
    const settings = await send('globex.test', {
      path: '/wp-json/wp/v2/settings',
      headers: { authorization: basicAuth('boss', admin.applicationPassword) },
    })
    expect(settings.status).toBe(401)
    expect(await titles('acme.test')).not.toContain('From globex')
  }, 120_000)

  it('never routes by X-Forwarded-Host, Forwarded or a second Host header', async () => {
    const spoofed = await send('globex.test', {
      path: '/wp-json/wp/v2/posts',
      headers: { 'x-forwarded-host': 'acme.test', forwarded: 'host=acme.test', 'x-forwarded-proto': 'https' },
    })
    expect(spoofed.status).toBe(200)
    expect(spoofed.text).not.toContain('Acme only')
    const duplicate = await send('globex.test', {
      path: '/wp-json/wp/v2/posts',
      rawHeaders: [['Host', 'acme.test']],
    })
    expect(duplicate.status).toBe(400)
    expect(duplicate.text).not.toContain('Acme only')
    // The port of Host is ignored: a.test:80 is a.test.
    expect(await titles('acme.test:80')).toContain('Acme only')
    expect((await send('unknown.test', { path: '/wp-json/' })).status).toBe(421)
  }, 120_000)

  it('refuses absolute-form targets and path tricks instead of normalising them', async () => {
    for (const target of [
      'http://acme.test/wp-json/wp/v2/posts',
      '/graphql/../wp-json/wp/v2/posts',
      '/wp-json/%2e%2e/wp-json/wp/v2/posts',
      '/wp-json/wp%2Fv2/posts',
      '//acme.test/wp-json/wp/v2/posts',
    ]) {
      const response = await send('globex.test', { path: target })
      expect(response.status, target).toBe(400)
      expect(response.text, target).not.toContain('Acme only')
    }
    for (const target of [
      '/wp-admin/',
      '/wp-login.php',
      '/xmlrpc.php',
      '/',
      '/?p=1',
      '/wp-content/debug.log',
    ]) {
      expect((await send('acme.test', { path: target })).status, target).toBe(404)
    }
    // WordPress's rewrite rules would map this to wp-admin/options.php; the host sends it as a REST route.
    const admin = await send('acme.test', { path: '/wp-json/wp-admin/options.php' })
    expect(admin.status).toBe(404)
    expect(admin.json<{ code: string }>().code).toBe('rest_no_route')
  }, 120_000)

  it('keeps plugin, theme and core changes and local uploads impossible, even for a tenant administrator', async () => {
    const install = await send('acme.test', {
      method: 'POST',
      path: '/wp-json/wp/v2/plugins',
      headers: {
        authorization: basicAuth('boss', admin.applicationPassword),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ slug: 'hello-dolly', status: 'active' }),
    })
    expect(install.status).toBe(403)
    const upload = await send('acme.test', {
      method: 'POST',
      path: '/wp-json/wp/v2/media',
      headers: {
        authorization: basicAuth('boss', admin.applicationPassword),
        'content-type': 'image/png',
        'content-disposition': 'attachment; filename=dot.png',
      },
      body: PNG,
    })
    expect(upload.status).toBe(403)
    expect(upload.json<{ code: string }>().code).toBe('codebox_uploads_disabled')
  }, 120_000)

  it('snapshots a tenant before destructive admin operations and keeps the newest by its retention', async () => {
    for (const title of ['Acme Two', 'Acme Three']) {
      const response = await send('acme.test', {
        method: 'POST',
        path: '/wp-json/wp/v2/settings',
        headers: {
          authorization: basicAuth('boss', admin.applicationPassword),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ title }),
      })
      expect(response.status).toBe(200)
    }
    const snapshots = await readdir(path.join(host.dataDir, 'acme', 'snapshots'))
    // Three settings changes and one refused plugin install were destructive; acme keeps 2.
    expect(snapshots).toHaveLength(2)
    expect(snapshots.every((name) => name.endsWith('.codebox-snapshot'))).toBe(true)
    expect(existsSync(path.join(host.dataDir, 'globex', 'snapshots'))).toBe(false)
  }, 120_000)

  it('ingests media with the tenant’s token only, by magic bytes, into the tenant’s store', async () => {
    const ingest = (tenant: string, token: string, body: Buffer) =>
      send(tenant, {
        method: 'POST',
        path: '/_codebox/media?filename=Dot%20Image.png&title=Dot&alt=A%20dot',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
        body,
      })
    expect((await ingest('acme.test', GLOBEX_TOKEN, PNG)).status).toBe(401)
    expect((await send('acme.test', { method: 'POST', path: '/_codebox/media', body: PNG })).status).toBe(401)
    const notImage = await ingest('acme.test', ACME_TOKEN, Buffer.from('<?php echo "hi";'))
    expect(notImage.status).toBe(415)
    expect((await ingest('acme.test', ACME_TOKEN, Buffer.alloc(4096, 1))).status).toBe(413)

    const created = await ingest('acme.test', ACME_TOKEN, PNG)
    expect(created.status).toBe(201)
    const object = created.json<{ id: number; url: string; key: string; mimeType: string }>()
    expect(object.mimeType).toBe('image/png')
    expect(object.url).toMatch(
      /^https:\/\/cdn\.acme\.test\/media\/\d{4}\/\d{2}\/[0-9a-f]{16}-dot-image\.png$/,
    )
    expect(await readFile(path.join(host.dataDir, 'acme', 'media', ...object.key.split('/')))).toEqual(PNG)
    const attachment = await send('acme.test', { path: `/wp-json/wp/v2/media/${object.id}` })
    expect(attachment.json<{ source_url: string; alt_text: string }>()).toMatchObject({
      source_url: object.url,
      alt_text: 'A dot',
    })
    expect((await send('globex.test', { path: `/wp-json/wp/v2/media/${object.id}` })).status).toBe(404)

    const onS3 = await ingest('globex.test', GLOBEX_TOKEN, PNG)
    expect(onS3.status).toBe(201)
    const s3Object = onS3.json<{ key: string; url: string }>()
    expect(s3Object.key.startsWith('globex/')).toBe(true)
    expect(s3Object.url).toBe(`https://media.globex.test/${s3Object.key}`)
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: LOCAL_S3_CREDENTIALS,
    })
    const stored = await client.send(new GetObjectCommand({ Bucket: 'media', Key: s3Object.key }))
    expect(Buffer.from(await stored.Body!.transformToByteArray())).toEqual(PNG)
    client.destroy()
  }, 120_000)

  it('bounds request bodies and heads, and cuts off a client that sends its head too slowly', async () => {
    const large = await send('acme.test', {
      method: 'POST',
      path: '/wp-json/wp/v2/posts',
      headers: {
        authorization: basicAuth('ed', editor.applicationPassword),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ title: 'x'.repeat(8192) }),
    })
    expect(large.status).toBe(413)
    const hugeHead = await send('acme.test', {
      path: '/wp-json/',
      headers: { 'x-padding': 'p'.repeat(20_000) },
    })
    expect(hugeHead.status).toBe(431)

    const url = new URL(host.url)
    const socket = connect(Number(url.port), url.hostname)
    const received: Buffer[] = []
    socket.on('data', (chunk) => received.push(chunk))
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.write('GET /wp-json/ HTTP/1.1\r\nHost: acme.test\r\n')
    // The head never ends: the host's head timeout closes the connection.
    await closed
    expect(Buffer.concat(received).toString()).toMatch(/^HTTP\/1\.1 408/)
  }, 60_000)

  it('answers 503 at once when a tenant’s wait list is full', async () => {
    // globex serves one request at a time and lets none wait.
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => send('globex.test', { path: '/wp-json/wp/v2/posts' })),
    )
    const statuses = responses.map((response) => response.status)
    expect(statuses).toContain(200)
    expect(statuses).toContain(503)
    expect(responses.find((response) => response.status === 503)?.headers['retry-after']).toBe('1')
  }, 120_000)

  it('reports health, readiness and per-tenant metrics on the ops listener, without secrets', async () => {
    expect((await fetch(`${host.opsUrl}/healthz`)).status).toBe(200)
    const ready = await fetch(`${host.opsUrl}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready', tenants: { acme: 'ready', globex: 'ready' } })
    const metrics = await (await fetch(`${host.opsUrl}/metrics`)).text()
    expect(metrics).toMatch(/codebox_host_requests_total\{tenant="acme",route="rest",status="201"\} \d+/)
    expect(metrics).toMatch(/codebox_host_requests_total\{tenant="globex",route="media",status="201"\} 1/)
    expect(metrics).toMatch(
      /codebox_host_request_duration_seconds_bucket\{le="0\.005",tenant="acme",route="rest"\}/,
    )
    expect(metrics).toMatch(/codebox_host_errors_total\{tenant="",reason="misdirected"\} \d+/)
    expect(metrics).toMatch(/codebox_host_errors_total\{tenant="globex",reason="busy"\} \d+/)
    expect(metrics).toContain('codebox_host_runtimes_active 2')
    expect(metrics).toContain('codebox_host_tenant_php_memory_limit_bytes{tenant="acme"} 268435456')
    // runtime.stats() of each tenant's runtime: the requests above ran as commands.
    expect(
      Number(/codebox_host_tenant_commands_total\{tenant="acme"\} (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThan(0)
    expect(metrics).toMatch(/codebox_host_tenant_runtime_restarts_total\{tenant="acme"\} \d+/)
    expect(metrics).toContain('codebox_host_process_resident_memory_bytes')
    for (const secret of [ACME_TOKEN, GLOBEX_TOKEN, editor.applicationPassword, admin.applicationPassword]) {
      expect(metrics).not.toContain(secret)
    }
    // Tenant domains do not reach the ops endpoints.
    expect((await send('acme.test', { path: '/metrics' })).status).toBe(404)
  }, 60_000)

  it('writes each tenant’s audit trail to its own directory, without credentials', async () => {
    const read = async (tenant: string) => {
      const text = await readFile(path.join(host.dataDir, tenant, 'audit', 'audit.jsonl'), 'utf8')
      return text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    }
    // Lines are written after each response; wait until the last ones are on disk.
    let acme = await read('acme')
    for (
      let attempt = 0;
      attempt < 50 && !acme.some((line) => line.operation === 'media.ingest');
      attempt++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      acme = await read('acme')
    }
    const globex = await read('globex')
    expect(acme.every((line) => line.tenant === 'acme')).toBe(true)
    expect(globex.every((line) => line.tenant === 'globex')).toBe(true)
    expect(acme).toContainEqual(
      expect.objectContaining({
        operation: 'rest.write',
        method: 'POST',
        route: '/wp/v2/posts',
        status: 201,
        authenticated: true,
      }),
    )
    expect(acme).toContainEqual(expect.objectContaining({ operation: 'admin.user-add', status: 200 }))
    expect(acme).toContainEqual(expect.objectContaining({ operation: 'media.ingest', status: 201 }))
    expect(new Set(acme.map((line) => line.requestId)).size).toBe(acme.length)
    const text = JSON.stringify([acme, globex])
    for (const secret of [ACME_TOKEN, GLOBEX_TOKEN, editor.applicationPassword, admin.applicationPassword]) {
      expect(text).not.toContain(secret)
    }
  }, 60_000)
})
