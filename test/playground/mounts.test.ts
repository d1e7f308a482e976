import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyBundle } from '@codebox/artifacts'
import { playground } from '@codebox/backend-playground'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

type PlaygroundRuntime = Runtime<ReturnType<typeof playground>['commands']>

async function snapshotTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name)
      out[path.slice(root.length)] = await readFile(path, 'utf8')
    }
  }
  return out
}

describe('mounts', () => {
  let host: string
  let runtime: PlaygroundRuntime

  beforeAll(async () => {
    host = await realpath(await mkdtemp(join(tmpdir(), 'codebox-mounts-')))
    await mkdir(join(host, 'ro', 'nested'), { recursive: true })
    await writeFile(join(host, 'ro', 'readme.txt'), 'original\n')
    await writeFile(join(host, 'ro', 'nested', 'data.json'), '{"a":1}\n')
    await mkdir(join(host, 'rw'), { recursive: true })
    await writeFile(join(host, 'rw', 'keep.txt'), 'keep\n')
    await writeFile(join(host, 'rw', 'edit.txt'), 'line one\nline two\n')
    await writeFile(join(host, 'rw', 'remove.txt'), 'remove me\n')
    await mkdir(join(host, 'escape'), { recursive: true })
    await symlink('/etc', join(host, 'escape', 'etc-link'))
    runtime = await createRuntime({
      backend: playground(),
      policy: {
        commands: { allow: ['wordpress.*'] },
        filesystem: { mounts: [{ path: host, modes: ['readonly', 'readwrite'] }] },
      },
    })
  }, 120_000)

  afterAll(async () => {
    await runtime?.destroy()
    await rm(host, { recursive: true, force: true })
  })

  const php = (code: string) =>
    runtime.execute({ command: 'wordpress.run-php', args: { code, bootstrap: 'none' } })

  it('refuses every PHP write to a readonly mount and never changes the host directory', async () => {
    const before = await snapshotTree(join(host, 'ro'))
    const unmount = await runtime.mount({
      source: join(host, 'ro'),
      target: '/wordpress/wp-content/ro',
      mode: 'readonly',
    })
    const result = await php(`<?php
      $d = '/wordpress/wp-content/ro';
      $r = [
        'read' => file_get_contents("$d/readme.txt"),
        'write' => @file_put_contents("$d/readme.txt", 'changed'),
        'create' => @file_put_contents("$d/new.txt", 'new'),
        'append' => @file_put_contents("$d/nested/data.json", 'x', FILE_APPEND),
        'unlink' => @unlink("$d/readme.txt"),
        'mkdir' => @mkdir("$d/made"),
        'rename' => @rename("$d/readme.txt", "$d/renamed.txt"),
        'chmod' => @chmod("$d/readme.txt", 0777),
        'touch' => @touch("$d/touched.txt"),
        'rmdir' => @rmdir("$d/nested"),
      ];
      echo json_encode($r);`)
    expect(result.status).toBe('ok')
    const outcome = JSON.parse(result.stdout) as Record<string, unknown>
    expect(outcome.read).toBe('original\n')
    for (const op of ['write', 'create', 'append', 'unlink', 'mkdir', 'rename', 'chmod', 'touch', 'rmdir']) {
      expect(outcome[op], op).toBe(false)
    }
    expect(await snapshotTree(join(host, 'ro'))).toEqual(before)
    await unmount()
    const gone = await php("<?php var_dump(file_exists('/wordpress/wp-content/ro/readme.txt'));")
    expect(gone.stdout).toContain('bool(false)')
  }, 60_000)

  it('gives a readwrite mount a private copy and reports its changes as a list and a unified diff', async () => {
    const before = await snapshotTree(join(host, 'rw'))
    await runtime.mount({ source: join(host, 'rw'), target: '/wordpress/wp-content/rw', mode: 'readwrite' })
    const result = await php(`<?php
      $d = '/wordpress/wp-content/rw';
      file_put_contents("$d/edit.txt", "line one\\nline 2\\n");
      file_put_contents("$d/added.txt", "brand new\\n");
      unlink("$d/remove.txt");
      echo file_get_contents("$d/edit.txt");`)
    expect(result.stdout).toBe('line one\nline 2\n')
    expect(await snapshotTree(join(host, 'rw'))).toEqual(before)

    const out = await mkdtemp(join(tmpdir(), 'codebox-mount-bundle-'))
    try {
      const bundle = await runtime.collect({ directory: out })
      expect((await verifyBundle(bundle.path)).ok).toBe(true)
      const files = JSON.parse(await readFile(join(bundle.path, 'changes', 'files.json'), 'utf8')) as {
        files: { path: string; status: string }[]
      }
      const statuses = Object.fromEntries(files.files.map((file) => [file.path, file.status]))
      expect(statuses).toEqual({ 'added.txt': 'added', 'edit.txt': 'modified', 'remove.txt': 'deleted' })
      const patch = await readFile(join(bundle.path, 'changes', 'patch.diff'), 'utf8')
      expect(patch).toContain('-line two')
      expect(patch).toContain('+line 2')
      expect(patch).toContain('+brand new')
    } finally {
      await rm(out, { recursive: true, force: true })
    }
  }, 60_000)

  it('refuses targets outside the WordPress tree, with "..", over core, and missing or escaping sources', async () => {
    const attempts: [Parameters<PlaygroundRuntime['mount']>[0], string][] = [
      [{ source: join(host, 'ro'), target: '/etc/codebox' }, 'MOUNT_INVALID'],
      [{ source: join(host, 'ro'), target: '/wordpress/wp-content/../../etc' }, 'MOUNT_INVALID'],
      [{ source: join(host, 'ro'), target: '/wordpress/wp-includes/x' }, 'MOUNT_INVALID'],
      [{ source: join(host, 'missing'), target: '/wordpress/wp-content/missing' }, 'MOUNT_SOURCE_MISSING'],
      [{ source: join(host, 'escape'), target: '/wordpress/wp-content/escape' }, 'MOUNT_SYMLINK_ESCAPE'],
    ]
    for (const [spec, code] of attempts) {
      const error = await runtime.mount(spec).catch((e: unknown) => e)
      expect((error as { code?: string }).code, JSON.stringify(spec)).toBe(code)
    }
  }, 30_000)

  it('mounts before boot from createRuntime options', async () => {
    const early = await createRuntime({
      backend: playground({ mounts: [{ source: join(host, 'ro'), target: '/wordpress/wp-content/early' }] }),
      policy: {
        commands: { allow: ['wordpress.*'] },
        filesystem: { mounts: [{ path: host, modes: ['readonly'] }] },
      },
    })
    try {
      const read = await early.execute({
        command: 'wordpress.run-php',
        args: {
          code: "<?php echo file_get_contents('/wordpress/wp-content/early/readme.txt');",
          bootstrap: 'none',
        },
      })
      expect(read.stdout).toBe('original\n')
    } finally {
      await early.destroy()
    }
  }, 60_000)
})
