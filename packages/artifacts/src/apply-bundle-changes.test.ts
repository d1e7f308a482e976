import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { applyBundleChanges, discardBundleChanges } from './apply-bundle-changes.js'
import type { BundleInput } from './bundle-input.js'
import { createRedactor } from './redactor.js'
import { writeBundle } from './write-bundle.js'

const enc = new TextEncoder()

/** Every scenario's temp root, removed after the file's tests. */
const roots: string[] = []
afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
})

/** A plugin directory as mounted readwrite, and the bundle recording what a run changed in it. */
async function scenario(format: 'directory' | 'tar.gz' = 'directory') {
  const root = await mkdtemp(join(tmpdir(), 'codebox-apply-'))
  roots.push(root)
  const plugin = join(root, 'my-plugin')
  await mkdir(join(plugin, 'inc'), { recursive: true })
  await writeFile(join(plugin, 'my-plugin.php'), '<?php\n// v1\n')
  await writeFile(join(plugin, 'old.txt'), 'old\n')
  await writeFile(join(plugin, 'keep.txt'), 'untouched\n')
  const input: BundleInput = {
    provenance: { backend: { name: 'test', version: '1' }, components: [] },
    policy: { effective: {}, digest: 'sha256:0', enforcement: {} },
    inputs: {},
    commands: [],
    events: [],
    logs: {},
    diagnostics: [],
    credentials: [],
    changes: {
      mounts: [{ id: 'my-plugin', source: plugin, target: '/wordpress/wp-content/plugins/my-plugin' }],
      files: [
        {
          mount: 'my-plugin',
          path: 'my-plugin.php',
          status: 'modified',
          before: enc.encode('<?php\n// v1\n'),
          after: enc.encode('<?php\n// v2\n'),
        },
        { mount: 'my-plugin', path: 'inc/new.php', status: 'added', after: enc.encode('<?php // new\n') },
        { mount: 'my-plugin', path: 'old.txt', status: 'deleted', before: enc.encode('old\n') },
        {
          mount: 'my-plugin',
          path: 'img.bin',
          status: 'added',
          after: new Uint8Array([0, 159, 146, 150, 255]),
        },
      ],
    },
  }
  const bundle = await writeBundle(input, { directory: root, name: 'bundle', format })
  return { root, plugin, bundle: bundle.path, input }
}

describe('applyBundleChanges', () => {
  for (const format of ['directory', 'tar.gz'] as const) {
    test(`applies every recorded change of a readwrite mount (${format})`, async () => {
      const { plugin, bundle } = await scenario(format)
      const result = await applyBundleChanges(bundle, plugin)
      expect(result.applied.map((c) => [c.path, c.status])).toEqual([
        ['img.bin', 'added'],
        ['inc/new.php', 'added'],
        ['my-plugin.php', 'modified'],
        ['old.txt', 'deleted'],
      ])
      expect(result).toMatchObject({
        action: 'apply',
        dryRun: false,
        mount: 'my-plugin',
        discarded: [],
        conflicts: [],
      })
      expect(await readFile(join(plugin, 'my-plugin.php'), 'utf8')).toBe('<?php\n// v2\n')
      expect(await readFile(join(plugin, 'inc/new.php'), 'utf8')).toBe('<?php // new\n')
      expect([...(await readFile(join(plugin, 'img.bin')))]).toEqual([0, 159, 146, 150, 255])
      await expect(readFile(join(plugin, 'old.txt'))).rejects.toMatchObject({ code: 'ENOENT' })
      expect(await readFile(join(plugin, 'keep.txt'), 'utf8')).toBe('untouched\n')
    })
  }

  test('applies only the selected files and records the rest as discarded', async () => {
    const { plugin, bundle } = await scenario()
    const result = await applyBundleChanges(bundle, plugin, { files: ['inc/new.php'] })
    expect(result.applied.map((c) => c.path)).toEqual(['inc/new.php'])
    expect(result.discarded.map((c) => c.path)).toEqual(['img.bin', 'my-plugin.php', 'old.txt'])
    expect(await readFile(join(plugin, 'my-plugin.php'), 'utf8')).toBe('<?php\n// v1\n')
    expect(await readFile(join(plugin, 'old.txt'), 'utf8')).toBe('old\n')
  })

  test('refuses, writing nothing, when the target drifted from the recorded baseline', async () => {
    const { plugin, bundle } = await scenario()
    await writeFile(join(plugin, 'my-plugin.php'), '<?php\n// edited meanwhile\n')
    await writeFile(join(plugin, 'inc/new.php'), 'already here')
    const error = await applyBundleChanges(bundle, plugin).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BUNDLE_TARGET_DRIFTED' })
    const details = (error as { details: { conflicts: { path: string; reason: string }[] } }).details
    expect(details.conflicts).toEqual([
      { path: 'inc/new.php', reason: 'already-exists' },
      { path: 'my-plugin.php', reason: 'drifted' },
    ])
    expect(await readFile(join(plugin, 'old.txt'), 'utf8')).toBe('old\n')
    await expect(readFile(join(plugin, 'img.bin'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  test('a dry run reports conflicts and planned changes without writing', async () => {
    const { plugin, bundle } = await scenario()
    await rm(join(plugin, 'old.txt'))
    const result = await applyBundleChanges(bundle, plugin, { dryRun: true })
    expect(result.dryRun).toBe(true)
    expect(result.conflicts.map((c) => [c.path, c.reason])).toEqual([['old.txt', 'missing']])
    expect(result.applied.map((c) => c.path)).toEqual(['img.bin', 'inc/new.php', 'my-plugin.php'])
    expect(await readFile(join(plugin, 'my-plugin.php'), 'utf8')).toBe('<?php\n// v1\n')
  })

  test('never writes through a symbolic link inside the target', async () => {
    const { root, plugin, bundle } = await scenario()
    const elsewhere = join(root, 'elsewhere')
    await mkdir(elsewhere)
    await rm(join(plugin, 'inc'), { recursive: true })
    await symlink(elsewhere, join(plugin, 'inc'))
    await expect(applyBundleChanges(bundle, plugin)).rejects.toMatchObject({ code: 'BUNDLE_TARGET_DRIFTED' })
    await expect(readFile(join(elsewhere, 'new.php'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  test('refuses a tampered bundle before touching the target', async () => {
    const { plugin, bundle } = await scenario()
    await writeFile(join(bundle, 'changes/files/my-plugin/my-plugin.php'), '<?php system($_GET["x"]);\n')
    await expect(applyBundleChanges(bundle, plugin)).rejects.toMatchObject({ code: 'BUNDLE_INVALID' })
    expect(await readFile(join(plugin, 'my-plugin.php'), 'utf8')).toBe('<?php\n// v1\n')
  })

  test('content whose secrets were redacted is applied only when explicitly allowed', async () => {
    const { root, plugin, input } = await scenario()
    const redactor = createRedactor({ secrets: { DB_PASSWORD: 'hunter2-hunter2' } })
    const changes = input.changes!
    const withSecret: BundleInput = {
      ...input,
      changes: {
        ...changes,
        files: [
          {
            mount: 'my-plugin',
            path: 'config.php',
            status: 'added',
            after: enc.encode("define('PW', 'hunter2-hunter2');\n"),
          },
        ],
      },
    }
    const bundle = (await writeBundle(withSecret, { directory: root, name: 'secret-bundle', redactor })).path
    await expect(applyBundleChanges(bundle, plugin)).rejects.toMatchObject({
      code: 'BUNDLE_CHANGE_UNAPPLICABLE',
    })
    await applyBundleChanges(bundle, plugin, { allowRedacted: true })
    expect(await readFile(join(plugin, 'config.php'), 'utf8')).toBe(
      "define('PW', '[REDACTED:DB_PASSWORD]');\n",
    )
  })
})

describe('discardBundleChanges', () => {
  test('records every change as discarded and writes nothing', async () => {
    const { plugin, bundle } = await scenario()
    const result = await discardBundleChanges(bundle)
    expect(result).toMatchObject({ action: 'discard', applied: [] })
    expect(result.discarded.map((c) => c.path)).toEqual([
      'img.bin',
      'inc/new.php',
      'my-plugin.php',
      'old.txt',
    ])
    expect(await readFile(join(plugin, 'my-plugin.php'), 'utf8')).toBe('<?php\n// v1\n')
    await expect(readFile(join(plugin, 'inc/new.php'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
