/**
 * Filesystem policy against the real Playground runtime. These tests back the `filesystem: enforced` label of the
 * enforcement report (mount sources and modes, readonly mounts); `writableRoots` is reported as declared-only.
 */
import { createHash } from 'node:crypto'
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type PlaygroundCommands, playground } from '@codebox/backend-playground'
import { createRuntime, isCodeboxError, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { phpString } from './helpers.js'

/** Every entry under `dir` with its type, mode, size, mtime and content hash: "byte for byte" plus metadata. */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (path: string, rel: string): Promise<void> => {
    for (const entry of (await readdir(path, { withFileTypes: true })).sort((x, y) =>
      x.name.localeCompare(y.name),
    )) {
      const full = join(path, entry.name)
      const key = rel === '' ? entry.name : `${rel}/${entry.name}`
      const info = await lstat(full)
      const meta = `${info.mode.toString(8)} ${info.size} ${info.mtimeMs}`
      if (entry.isDirectory()) {
        out[key] = `dir ${meta}`
        await walk(full, key)
      } else {
        out[key] = `file ${meta} ${createHash('sha256')
          .update(await readFile(full))
          .digest('hex')}`
      }
    }
  }
  await walk(dir, '')
  return out
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return isCodeboxError(error) ? error.code : `not a codebox error: ${String(error)}`
  }
  return 'resolved'
}

let root: string
let allowed: string
let readonlyOnly: string
let outside: string

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'codebox-fs-policy-')))
  allowed = join(root, 'allowed')
  readonlyOnly = join(root, 'readonly-only')
  outside = join(root, 'outside')
  for (const dir of [allowed, readonlyOnly, outside]) await mkdir(join(dir, 'sub'), { recursive: true })
  await writeFile(join(allowed, 'readme.txt'), 'original\n')
  await writeFile(join(allowed, 'sub', 'data.json'), '{"a":1}\n')
  await chmod(join(allowed, 'readme.txt'), 0o644)
  await writeFile(join(readonlyOnly, 'readme.txt'), 'ro\n')
  await writeFile(join(outside, 'secret.txt'), 'outside the policy\n')
  await symlink(outside, join(allowed, 'sub', 'escape'))
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const policy = () => ({
  commands: { allow: ['wordpress.run-php'] },
  filesystem: {
    mounts: [
      { path: join(root, 'allowed'), modes: ['readonly' as const, 'readwrite' as const] },
      { path: join(root, 'readonly-only'), modes: ['readonly' as const] },
    ],
  },
})

describe('mount sources outside policy.filesystem.mounts', () => {
  let runtime: Runtime<PlaygroundCommands>
  beforeAll(async () => {
    runtime = await createRuntime({ backend: playground(), policy: policy() })
  })
  afterAll(async () => {
    await runtime?.destroy()
  })

  it('createRuntime({ mounts }) refuses a source outside the allowed host paths before boot', async () => {
    const code = await codeOf(
      createRuntime({
        backend: playground(),
        policy: policy(),
        mounts: [{ source: outside, target: '/wordpress/wp-content/outside', mode: 'readonly' }],
      }),
    )
    expect(code).toBe('POLICY_MOUNT_DENIED')
  })

  it('runtime.mount refuses a source outside the allowed host paths', async () => {
    expect(await codeOf(runtime.mount({ source: outside, target: '/wordpress/wp-content/outside' }))).toBe(
      'POLICY_MOUNT_DENIED',
    )
  })

  it('runtime.mount refuses a mode the rule does not list (readwrite on a readonly-only path)', async () => {
    expect(
      await codeOf(
        runtime.mount({ source: readonlyOnly, target: '/wordpress/wp-content/ro', mode: 'readwrite' }),
      ),
    ).toBe('POLICY_MOUNT_DENIED')
  })

  it('runtime.mount refuses a symlink inside an allowed directory that points outside it', async () => {
    // The source is resolved to its real path (outside/) before the policy check.
    expect(
      await codeOf(
        runtime.mount({ source: join(allowed, 'sub', 'escape'), target: '/wordpress/wp-content/esc' }),
      ),
    ).toBe('POLICY_MOUNT_DENIED')
    // Mounting the allowed directory that holds that symlink is refused too: PHP could follow it out.
    expect(
      await codeOf(runtime.mount({ source: join(allowed, 'sub'), target: '/wordpress/wp-content/sub' })),
    ).toBe('MOUNT_SYMLINK_ESCAPE')
  })

  it('createRuntime({ mounts }) refuses a symlink inside an allowed directory whose real path is outside it', async () => {
    const linkToOutside = join(allowed, 'sub', 'escape')
    const code = await codeOf(
      createRuntime({
        backend: playground(),
        policy: policy(),
        mounts: [{ source: linkToOutside, target: '/wordpress/wp-content/esc', mode: 'readonly' }],
      }),
    )
    expect(code).toBe('POLICY_MOUNT_DENIED')
  })
})

describe('a readonly mount', () => {
  let runtime: Runtime<PlaygroundCommands>
  let source: string
  beforeAll(async () => {
    source = join(root, 'allowed', 'ro-tree')
    await mkdir(join(source, 'nested'), { recursive: true })
    await writeFile(join(source, 'readme.txt'), 'original\n')
    await writeFile(join(source, 'nested', 'data.json'), '{"a":1}\n')
    runtime = await createRuntime({ backend: playground(), policy: policy() })
    await runtime.mount({ source, target: '/wordpress/wp-content/ro-tree', mode: 'readonly' })
  })
  afterAll(async () => {
    await runtime?.destroy()
  })

  it('refuses every PHP write (file_put_contents, unlink, mkdir, rename, chmod, touch) and leaves the host dir byte-for-byte unchanged', async () => {
    const before = await fingerprint(source)
    const result = await runtime.execute({
      command: 'wordpress.run-php',
      args: {
        bootstrap: 'none',
        code: `<?php $d = ${phpString('/wordpress/wp-content/ro-tree')};
          echo json_encode([
            'read' => file_get_contents("$d/readme.txt"),
            'file_put_contents' => @file_put_contents("$d/readme.txt", 'changed'),
            'create' => @file_put_contents("$d/new.txt", 'new'),
            'append' => @file_put_contents("$d/nested/data.json", 'x', FILE_APPEND),
            'unlink' => @unlink("$d/readme.txt"),
            'mkdir' => @mkdir("$d/newdir"),
            'rmdir' => @rmdir("$d/nested"),
            'rename' => @rename("$d/readme.txt", "$d/renamed.txt"),
            'rename_in' => @rename('/tmp/codebox-probe', "$d/moved.txt"),
            'chmod' => @chmod("$d/readme.txt", 0777),
            'touch' => @touch("$d/readme.txt", 1000000000),
            'touch_new' => @touch("$d/touched.txt"),
            'fopen_w' => @fopen("$d/readme.txt", 'w') !== false,
            'copy' => @copy("$d/readme.txt", "$d/copy.txt"),
            'symlink' => @symlink('/etc/passwd', "$d/link"),
          ]);`,
      },
    })
    expect(result.status).toBe('ok')
    const outcome = JSON.parse(result.stdout) as Record<string, unknown>
    expect(outcome.read).toBe('original\n')
    const { read: _read, ...writes } = outcome
    for (const [operation, value] of Object.entries(writes)) expect(value, operation).toBe(false)
    expect(await fingerprint(source)).toEqual(before)
  })
})

describe('a readwrite mount', () => {
  let runtime: Runtime<PlaygroundCommands>
  let source: string
  let bundleDir: string
  beforeAll(async () => {
    source = join(root, 'allowed', 'rw-tree')
    await mkdir(source, { recursive: true })
    await writeFile(join(source, 'edit.txt'), 'line one\n')
    await writeFile(join(source, 'remove.txt'), 'remove me\n')
    bundleDir = join(root, 'bundles')
    runtime = await createRuntime({ backend: playground(), policy: policy() })
    await runtime.mount({ source, target: '/wordpress/wp-content/rw-tree', mode: 'readwrite' })
  })
  afterAll(async () => {
    await runtime?.destroy()
  })

  it('lets PHP write, leaves the host dir unchanged and lists the changes in the bundle', async () => {
    const before = await fingerprint(source)
    const result = await runtime.execute({
      command: 'wordpress.run-php',
      args: {
        bootstrap: 'none',
        code: `<?php $d = ${phpString('/wordpress/wp-content/rw-tree')};
          echo json_encode([
            file_put_contents("$d/edit.txt", "line 1\\n") !== false,
            file_put_contents("$d/added.txt", "new\\n") !== false,
            unlink("$d/remove.txt"),
          ]);`,
      },
    })
    expect(result.status).toBe('ok')
    expect(JSON.parse(result.stdout)).toEqual([true, true, true])
    expect(await fingerprint(source)).toEqual(before)

    const bundle = await runtime.collect({ directory: bundleDir })
    const changes = JSON.parse(await readFile(join(bundle.path, 'changes', 'files.json'), 'utf8')) as {
      files: { path: string; status: string }[]
    }
    const summary = changes.files.map((file) => `${file.status} ${file.path}`).sort()
    expect(summary).toEqual(['added added.txt', 'deleted remove.txt', 'modified edit.txt'])
  })
})
