import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { decodeSnapshot, playground, SNAPSHOT_SCHEMA } from '@codebox/backend-playground'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { progressMessages } from './progress-messages.js'

type PlaygroundRuntime = Runtime<ReturnType<typeof playground>['commands']>

const here = dirname(fileURLToPath(import.meta.url))
const tsx = join(here, '..', '..', 'node_modules', '.bin', 'tsx')
const policy = { commands: { allow: ['wordpress.*'] } } as const

const php = (runtime: PlaygroundRuntime, code: string) =>
  runtime.execute({ command: 'wordpress.run-php', args: { code } })

describe('snapshots and checkpoints', () => {
  let runtime: PlaygroundRuntime
  let work: string

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codebox-snapshots-'))
    runtime = await createRuntime({ backend: playground(), policy })
  }, 120_000)

  afterAll(async () => {
    await runtime?.destroy()
    await rm(work, { recursive: true, force: true })
  })

  it('restores a snapshot taken in this process in another Node process', async () => {
    const made = await php(
      runtime,
      `<?php
      update_option('blogname', 'Snapshot across processes');
      wp_insert_post(['post_title' => 'Made before the snapshot', 'post_name' => 'made-before-the-snapshot', 'post_status' => 'publish']);
      wp_mkdir_p(WP_CONTENT_DIR . '/uploads');
      file_put_contents(WP_CONTENT_DIR . '/uploads/note.txt', 'a site-layer file');
      echo 'ok';`,
    )
    expect(made.stdout).toBe('ok')
    const snapshot = await runtime.snapshot()
    const file = join(work, 'site.snapshot')
    await writeFile(file, snapshot.bytes)

    const { stdout } = await promisify(execFile)(
      tsx,
      ['--conditions=source', join(here, 'fixtures', 'restore-snapshot.ts'), file],
      { cwd: here, timeout: 120_000 },
    )
    const child = JSON.parse(stdout.trim().split('\n').at(-1) as string)
    expect(child.hostPid).not.toBe(process.pid)
    expect(child.status).toBe('ok')
    expect(JSON.parse(child.stdout)).toMatchObject({
      blogname: 'Snapshot across processes',
      post: 'Made before the snapshot',
      file: 'a site-layer file',
    })
  }, 150_000)

  it('writes one gzip tar file whose manifest names its schema, its layers and only the changed site files', async () => {
    const snapshot = await runtime.snapshot()
    expect([...snapshot.bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b])
    const { manifest, files } = await decodeSnapshot(snapshot.bytes)
    expect(manifest.schema).toBe(SNAPSHOT_SCHEMA)
    expect(manifest.layers.core).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(manifest.layers.sqlite).toMatch(/^sha256:[0-9a-f]{64}$/)
    const paths = [...files.keys()]
    expect(paths).toContain('wp-content/database/.ht.sqlite')
    expect(paths).toContain('wp-content/uploads/note.txt')
    // Core files sit in the shared, immutable layer: none of them is copied into a snapshot.
    expect(paths.filter((path) => path.startsWith('wp-includes/') || path.startsWith('wp-admin/'))).toEqual(
      [],
    )
    expect(manifest.files.map((entry) => entry.path).sort()).toEqual(paths.sort())
  })

  it('refuses a snapshot whose bytes were altered', async () => {
    const snapshot = await runtime.snapshot()
    const altered = new Uint8Array(snapshot.bytes)
    const middle = Math.floor(altered.length / 2)
    altered[middle] = (altered[middle] as number) ^ 0xff
    const error = await createRuntime({ backend: playground(), policy, from: altered }).catch(
      (caught: unknown) => caught,
    )
    expect(error).toMatchObject({ code: 'SNAPSHOT_INVALID' })
  }, 60_000)

  it('returns to a named checkpoint, dropping every later change to the database and the site files', async () => {
    await php(runtime, `<?php update_option('blogname', 'At the checkpoint');`)
    await runtime.checkpoint('before-edits')
    await php(
      runtime,
      `<?php
      update_option('blogname', 'After the checkpoint');
      wp_insert_post(['post_title' => 'Later post', 'post_name' => 'later-post', 'post_status' => 'publish']);
      file_put_contents(WP_CONTENT_DIR . '/uploads/later.txt', 'later');
      file_put_contents(WP_CONTENT_DIR . '/uploads/note.txt', 'edited later');`,
    )
    await runtime.restore('before-edits')
    const after = await php(
      runtime,
      `<?php echo json_encode([
        get_option('blogname'),
        get_page_by_path('later-post', OBJECT, 'post') === null,
        file_exists(WP_CONTENT_DIR . '/uploads/later.txt'),
        file_get_contents(WP_CONTENT_DIR . '/uploads/note.txt'),
      ]);`,
    )
    expect(JSON.parse(after.stdout)).toEqual(['At the checkpoint', true, false, 'a site-layer file'])
  })

  it('says which checkpoints exist when asked for an unknown one', async () => {
    await expect(runtime.restore('no-such-checkpoint')).rejects.toMatchObject({
      code: 'CHECKPOINT_UNKNOWN',
      message: expect.stringContaining('before-edits'),
    })
  })

  it('refuses to restore a snapshot onto a different WordPress layer, naming both', async () => {
    const snapshot = await runtime.snapshot()
    const error = await createRuntime({
      backend: playground({ wordpress: '6.4' }),
      policy,
      from: snapshot,
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({
      code: 'SNAPSHOT_LAYER_MISMATCH',
      message: expect.stringMatching(/sha256:[0-9a-f]{64}.*sha256:[0-9a-f]{64}/),
    })
  }, 120_000)
})

describe('template cache', () => {
  it('runs the installer-side work once per template: later creates reuse the cached site layer', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'codebox-template-cache-'))
    try {
      const backend = playground({ cacheDir, constants: { CODEBOX_TEMPLATE_TEST: 'a' } })
      const first = await createRuntime({ backend, policy })
      const firstMessages = await progressMessages(first)
      await first.destroy()
      const second = await createRuntime({ backend, policy })
      const secondMessages = await progressMessages(second)
      await second.destroy()

      expect(firstMessages.some((message) => message.startsWith('built site template'))).toBe(true)
      expect(secondMessages.some((message) => message.startsWith('reused cached site template'))).toBe(true)
      const sites = (await readdir(join(cacheDir, 'sites'))).filter((name) => name.startsWith('tpl-'))
      expect(sites).toHaveLength(1)

      // A different configuration is a different template.
      const other = await createRuntime({
        backend: playground({ cacheDir, constants: { CODEBOX_TEMPLATE_TEST: 'b' } }),
        policy,
      })
      expect(
        (await progressMessages(other)).some((message) => message.startsWith('built site template')),
      ).toBe(true)
      await other.destroy()
    } finally {
      await rm(cacheDir, { recursive: true, force: true })
    }
  }, 180_000)
})
