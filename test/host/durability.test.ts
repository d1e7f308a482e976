import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { LOCK_FILE } from '@codebox/host'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliProcess, runCliJson, startCli } from './cli-host-process.js'

// `codebox host` as a real child process: users added offline, writes acknowledged and then the process killed with
// SIGKILL mid-write, a restart on the same data directory, backup and restore through the running host's admin
// socket, manifest reloads on SIGHUP (an invalid one kept out), and a graceful SIGTERM. No WPGraphQL needed.

interface Answer {
  readonly status: number
  readonly text: string
}

/** One request with an explicit Host header; `onSent` runs once the request has left this process. */
function send(
  base: string,
  host: string,
  options: { method?: string; path: string; auth?: string; body?: unknown; onSent?: () => void },
): Promise<Answer> {
  const url = new URL(base)
  const body = options.body === undefined ? undefined : JSON.stringify(options.body)
  return new Promise((resolve, reject) => {
    const call = request(
      {
        hostname: url.hostname,
        port: url.port,
        path: options.path,
        method: options.method ?? 'GET',
        setHost: false,
        headers: {
          host,
          ...(options.auth ? { authorization: options.auth } : {}),
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          text += chunk
        })
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }))
        response.on('error', reject)
      },
    )
    call.on('error', reject)
    call.end(body, () => options.onSent?.())
  })
}

const manifestOf = (tenants: unknown[]) => JSON.stringify({ schema: 'codebox/tenant-manifest/v1', tenants })
const ACME = { id: 'acme', domains: ['acme.test'] }

describe('codebox host as a process: durability, backup, reload, shutdown', () => {
  let work: string
  let manifest: string
  let data: string
  let auth: string
  let host: CliProcess | undefined

  const startHost = async () => {
    const started = startCli(['host', '--tenants', manifest, '--data', data, '--json'], work)
    const document = await started.document
    expect(document.ok).toBe(true)
    host = started
    return document.result as { url: string; opsUrl: string; tenants: { id: string; state: string }[] }
  }
  const titles = async (base: string) => {
    const answer = await send(base, 'acme.test', { path: '/wp-json/wp/v2/posts?per_page=100&search=durable' })
    return (JSON.parse(answer.text) as { title: { rendered: string } }[]).map((post) => post.title.rendered)
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'codebox-host-cli-'))
    manifest = path.join(work, 'tenants.json')
    data = path.join(work, 'data')
    await writeFile(manifest, manifestOf([ACME]))
  })

  afterAll(async () => {
    if (host && host.child.exitCode === null) host.child.kill('SIGKILL')
    await rm(work, { recursive: true, force: true })
  })

  it('adds an editor offline and prints its application password once', async () => {
    const { code, document, stdout } = await runCliJson(
      ['host', 'user', 'add', 'acme', 'writer', '--role', 'editor', '--tenants', manifest, '--data', data],
      work,
    )
    expect(code).toBe(0)
    const user = document.result as { login: string; role: string; applicationPassword: string }
    expect(user).toMatchObject({ login: 'writer', role: 'editor' })
    expect(user.applicationPassword).toMatch(/^[A-Za-z0-9]{24}$/)
    expect(stdout.split(user.applicationPassword)).toHaveLength(2)
    auth = `Basic ${Buffer.from(`writer:${user.applicationPassword}`).toString('base64')}`
    // The offline run released the data directory.
    expect(existsSync(path.join(data, LOCK_FILE))).toBe(false)
  }, 180_000)

  it('keeps every acknowledged write when the host is killed with SIGKILL mid-write', async () => {
    const { url } = await startHost()
    const acknowledged: string[] = []
    for (let index = 1; index <= 5; index++) {
      const title = `durable ${index}`
      const answer = await send(url, 'acme.test', {
        method: 'POST',
        path: '/wp-json/wp/v2/posts',
        auth,
        body: { title, status: 'publish' },
      })
      expect(answer.status).toBe(201)
      acknowledged.push(title)
    }
    const killed = host as CliProcess
    // The sixth write is in flight when the process dies: it may or may not have committed, but nothing else is lost.
    const inFlight = send(url, 'acme.test', {
      method: 'POST',
      path: '/wp-json/wp/v2/posts',
      auth,
      body: { title: 'durable 6', status: 'publish' },
      onSent: () => killed.child.kill('SIGKILL'),
    }).catch((error: Error) => error)
    expect((await killed.exited).signal).toBe('SIGKILL')
    expect(await inFlight).toBeInstanceOf(Error)
    // The dead host's lock is still there; the restart takes it over.
    expect(existsSync(path.join(data, LOCK_FILE))).toBe(true)

    const restarted = await startHost()
    expect(restarted.tenants).toEqual([expect.objectContaining({ id: 'acme', state: 'ready' })])
    const after = await titles(restarted.url)
    for (const title of acknowledged) expect(after).toContain(title)
    expect(after.filter((title) => !acknowledged.includes(title))).toEqual(
      after.includes('durable 6') ? ['durable 6'] : [],
    )
  }, 300_000)

  it('backs up and restores a tenant through the running host, snapshotting before the restore', async () => {
    const { url } = (await (host as CliProcess).document).result as { url: string }
    const backupFile = path.join(work, 'acme.codebox-snapshot')
    const backup = await runCliJson(
      ['host', 'backup', 'acme', '--out', backupFile, '--tenants', manifest, '--data', data],
      work,
    )
    expect(backup.code).toBe(0)
    expect(backup.document.result).toMatchObject({ file: backupFile })
    const later = await send(url, 'acme.test', {
      method: 'POST',
      path: '/wp-json/wp/v2/posts',
      auth,
      body: { title: 'durable after the backup', status: 'publish' },
    })
    expect(later.status).toBe(201)
    expect(await titles(url)).toContain('durable after the backup')

    const restore = await runCliJson(
      ['host', 'restore', 'acme', backupFile, '--tenants', manifest, '--data', data],
      work,
    )
    expect(restore.code).toBe(0)
    const restored = await titles(url)
    expect(restored).not.toContain('durable after the backup')
    expect(restored).toContain('durable 5')
    expect(
      (await readdir(path.join(data, 'acme', 'snapshots'))).some((name) => name.includes('before-restore')),
    ).toBe(true)
  }, 300_000)

  it('reloads the manifest on SIGHUP: an invalid one is refused and the tenants keep serving; a new tenant starts', async () => {
    const running = host as CliProcess
    const { url } = (await running.document).result as { url: string }
    await writeFile(manifest, manifestOf([ACME, { id: 'Beta!', domains: ['beta.test'] }]))
    running.child.kill('SIGHUP')
    await running.stderrMatches(/manifest reload rejected[\s\S]*\$\.tenants\[1\]\.id/)
    expect((await send(url, 'acme.test', { path: '/wp-json/' })).status).toBe(200)
    expect((await send(url, 'beta.test', { path: '/wp-json/' })).status).toBe(421)

    await writeFile(manifest, manifestOf([ACME, { id: 'beta', domains: ['beta.test'] }]))
    running.child.kill('SIGHUP')
    await running.stderrMatches(/manifest reloaded: started beta/)
    expect((await send(url, 'beta.test', { path: '/wp-json/' })).status).toBe(200)
    expect(await titles(url)).toContain('durable 5')
  }, 300_000)

  it('stops gracefully on SIGTERM: exit 0 and the data directory released', async () => {
    const running = host as CliProcess
    running.child.kill('SIGTERM')
    expect(await running.exited).toEqual({ code: 0, signal: null })
    expect(existsSync(path.join(data, LOCK_FILE))).toBe(false)
  }, 120_000)
})
