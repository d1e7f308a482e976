/**
 * `collect({ includeSnapshot: true })` against the real Playground runtime. A snapshot is a gzipped site layer with
 * the SQLite database in it: a connector secret PHP saved with update_option() is in there, compressed, where byte
 * redaction cannot see it. These tests prove such a snapshot never enters a bundle, and that without secrets the
 * snapshot is stored unchanged (it restores).
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { type BundleManifest, verifyBundle } from '@codebox/artifacts'
import { playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const SECRET = `crm-${randomBytes(12).toString('hex')}`
const SNAPSHOT = 'snapshot/runtime-snapshot.bin'

/** The secret's forms in `bytes`, looking inside gzip as well. */
function leaksIn(bytes: Buffer): string[] {
  const views = [bytes]
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) views.push(gunzipSync(bytes))
  const forms = [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('hex')]
  return forms.filter((form) => views.some((view) => view.includes(form)))
}

let work: string

beforeAll(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'codebox-snapshot-secrets-')))
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('collect({ includeSnapshot: true })', () => {
  it('leaves the snapshot out, saying why, when PHP stored a connector secret in the database', async () => {
    await using runtime = await createRuntime({
      backend: playground(),
      policy: { commands: { allow: ['wordpress.*'] }, secrets: 'connector-scoped' },
      connectors: [{ name: 'crm', secrets: ['CRM_API_TOKEN'] }],
      env: { CRM_API_TOKEN: SECRET },
    })
    const saved = await runtime.execute({
      command: 'wordpress.run-php',
      args: { code: "<?php update_option('crm_connector_token', CRM_API_TOKEN); echo 'saved';" },
    })
    expect(saved.stdout).toBe('saved')
    // The danger is real: the runtime's own snapshot holds the secret, compressed.
    const snapshot = await runtime.snapshot()
    expect(leaksIn(Buffer.from(snapshot.bytes))).toContain(SECRET)

    const bundle = await runtime.collect({ directory: work, includeSnapshot: true })
    expect(bundle.omitted).toEqual([expect.objectContaining({ path: SNAPSHOT, reason: 'secrets-declared' })])
    const manifest = JSON.parse(await readFile(join(bundle.path, 'manifest.json'), 'utf8')) as BundleManifest
    expect(manifest.omitted).toEqual(bundle.omitted)
    expect(manifest.omitted?.[0]?.detail).toContain('CRM_API_TOKEN')
    expect(manifest.files.map((file) => file.path)).not.toContain(SNAPSHOT)
    expect((await verifyBundle(bundle.path)).problems).toEqual([])

    const leaks: string[] = []
    for (const entry of await readdir(bundle.path, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue
      const path = join(entry.parentPath, entry.name)
      for (const form of leaksIn(await readFile(path)))
        leaks.push(`${path.slice(bundle.path.length)}: ${form}`)
    }
    expect(leaks).toEqual([])
  }, 120_000)

  it('stores the snapshot unchanged when the runtime has no secret, so it restores', async () => {
    let bundlePath: string
    {
      await using runtime = await createRuntime({
        backend: playground(),
        policy: { commands: { allow: ['wordpress.*'] } },
      })
      const set = await runtime.execute({
        command: 'wordpress.option-set',
        args: { name: 'codebox_marker', value: 'kept-in-snapshot' },
      })
      expect(set.status).toBe('ok')
      const bundle = await runtime.collect({ directory: work, includeSnapshot: true })
      expect(bundle.omitted).toEqual([])
      bundlePath = bundle.path
    }
    expect((await verifyBundle(bundlePath)).problems).toEqual([])
    await using restored = await createRuntime({
      backend: playground(),
      policy: { commands: { allow: ['wordpress.*'] } },
      from: new Uint8Array(await readFile(join(bundlePath, SNAPSHOT))),
    })
    const read = await restored.execute({ command: 'wordpress.option-get', args: { name: 'codebox_marker' } })
    expect(read).toMatchObject({ status: 'ok', value: { exists: true, value: 'kept-in-snapshot' } })
  }, 120_000)
})
