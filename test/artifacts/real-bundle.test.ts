import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyBundleChanges, discardBundleChanges, verifyBundle } from '@codebox/artifacts'
import { playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const SECRET = 'sk-codebox-e2e-9f8e7d6c5b4a3210'

describe('bundles from a real Playground run', () => {
  let work: string
  let project: string
  let bundlePath: string
  let tarballPath: string

  beforeAll(async () => {
    work = await realpath(await mkdtemp(join(tmpdir(), 'codebox-bundle-e2e-')))
    project = join(work, 'my-plugin')
    await mkdir(project)
    await writeFile(
      join(project, 'my-plugin.php'),
      "<?php\n/* Plugin Name: My plugin */\nfunction my_plugin_version() { return '1.0'; }\n",
    )
    await writeFile(join(project, 'notes.txt'), 'draft\n')
    const runtime = await createRuntime({
      backend: playground(),
      policy: {
        commands: { allow: ['wordpress.*'] },
        filesystem: { mounts: [{ path: project, modes: ['readwrite'] }] },
        secrets: 'connector-scoped',
      },
      connectors: [{ name: 'ai', secrets: ['AI_API_KEY'] }],
      env: { AI_API_KEY: SECRET },
    })
    try {
      await runtime.mount({
        source: project,
        target: '/wordpress/wp-content/plugins/my-plugin',
        mode: 'readwrite',
      })
      const edit = await runtime.execute({
        command: 'wordpress.run-php',
        args: {
          code: `<?php
            $d = WP_PLUGIN_DIR . '/my-plugin';
            file_put_contents("$d/my-plugin.php", str_replace("'1.0'", "'1.1'", file_get_contents("$d/my-plugin.php")));
            file_put_contents("$d/CHANGELOG.md", "## 1.1\\n- bumped\\n");
            unlink("$d/notes.txt");
            echo 'key is ' . AI_API_KEY;`,
        },
      })
      expect(edit.status).toBe('ok')
      bundlePath = (await runtime.collect({ directory: work })).path
      tarballPath = (await runtime.collect({ path: join(work, 'bundle.tar.gz'), format: 'tar.gz' })).path
    } finally {
      await runtime.destroy()
    }
  }, 120_000)

  afterAll(async () => {
    await rm(work, { recursive: true, force: true })
  })

  it('verifies in both forms and holds no trace of the connector secret', async () => {
    expect((await verifyBundle(bundlePath)).problems).toEqual([])
    expect((await verifyBundle(tarballPath)).ok).toBe(true)
    const encodings = [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('hex')]
    for (const entry of await readdir(bundlePath, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue
      const bytes = await readFile(join(entry.parentPath, entry.name), 'latin1')
      for (const encoded of encodings)
        expect(bytes.includes(encoded), `${entry.name} holds the secret`).toBe(false)
    }
    const commands = await readFile(join(bundlePath, 'commands.jsonl'), 'utf8')
    expect(commands).toContain('[REDACTED:AI_API_KEY]')
  })

  it('records provenance, the effective policy with its digest and per-field enforcement', async () => {
    const manifest = JSON.parse(await readFile(join(bundlePath, 'manifest.json'), 'utf8'))
    const names = manifest.provenance.components.map((component: { name: string }) => component.name)
    expect(names).toEqual(expect.arrayContaining(['wordpress', 'php', 'sqlite-database-integration']))
    expect(manifest.policy.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(Object.keys(manifest.policy.enforcement).sort()).toEqual([
      'approvals',
      'commands',
      'filesystem',
      'network',
      'secrets',
    ])
  })

  it('fails verification when any file is flipped, added or removed', async () => {
    const copy = join(work, 'tampered')
    for (const [name, mutate] of [
      [
        'flip',
        async (dir: string) => {
          const file = join(dir, 'commands.jsonl')
          const bytes = await readFile(file)
          bytes[10] = (bytes[10] ?? 0) ^ 1
          await writeFile(file, bytes)
        },
      ],
      ['add', async (dir: string) => writeFile(join(dir, 'extra.txt'), 'extra')],
      ['remove', async (dir: string) => rm(join(dir, 'events.jsonl'))],
    ] as const) {
      await rm(copy, { recursive: true, force: true })
      await import('node:fs/promises').then((fs) => fs.cp(bundlePath, copy, { recursive: true }))
      await mutate(copy)
      const report = await verifyBundle(copy)
      expect(report.ok, name).toBe(false)
      expect(report.problems.length, name).toBeGreaterThan(0)
    }
  })

  it('discards without touching the project, then applies the readwrite-mount changes to it', async () => {
    const discarded = await discardBundleChanges(bundlePath)
    expect(discarded.discarded.map((change) => change.path).sort()).toEqual([
      'CHANGELOG.md',
      'my-plugin.php',
      'notes.txt',
    ])
    expect(await readFile(join(project, 'notes.txt'), 'utf8')).toBe('draft\n')

    const dry = await applyBundleChanges(bundlePath, project, { dryRun: true })
    expect(dry.applied.length).toBe(3)
    expect(await readFile(join(project, 'notes.txt'), 'utf8')).toBe('draft\n')

    const applied = await applyBundleChanges(bundlePath, project)
    expect(applied.conflicts).toEqual([])
    expect(await readFile(join(project, 'my-plugin.php'), 'utf8')).toContain("'1.1'")
    expect(await readFile(join(project, 'CHANGELOG.md'), 'utf8')).toBe('## 1.1\n- bumped\n')
    expect(await readdir(project)).not.toContain('notes.txt')
  })

  it('refuses to apply onto a target that drifted from the recorded baseline', async () => {
    const drifted = join(work, 'drifted')
    await mkdir(drifted)
    await writeFile(join(drifted, 'my-plugin.php'), '<?php // someone else edited this\n')
    await writeFile(join(drifted, 'notes.txt'), 'draft\n')
    const error = await applyBundleChanges(bundlePath, drifted).catch((e: unknown) => e)
    expect((error as { code?: string }).code).toBe('BUNDLE_TARGET_DRIFTED')
    expect(await readFile(join(drifted, 'my-plugin.php'), 'utf8')).toBe('<?php // someone else edited this\n')
  })
})
