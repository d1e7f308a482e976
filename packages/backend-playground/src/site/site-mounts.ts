import { rmSync } from 'node:fs'
import { cp, lstat, mkdtemp, readdir, readFile, readlink, realpath, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path'
import type { ChangedFile } from '@codebox/runtime-core'
import { BackendPlaygroundError } from '../errors.js'

/** Where mounts may go inside a runtime. */
export const MOUNT_ROOT = '/wordpress/'

/** A mount was refused: bad target, missing source, or a symlink escaping it. */
export class MountError extends BackendPlaygroundError {
  constructor(
    code: 'MOUNT_INVALID' | 'MOUNT_SOURCE_MISSING' | 'MOUNT_SYMLINK_ESCAPE',
    message: string,
    details: Record<string, unknown>,
  ) {
    super(code, message, { details })
  }
}

/** A mount after validation, with its private copy for readwrite mode. */
export interface PreparedMount {
  readonly id: string
  /** The real host path the caller named. */
  readonly source: string
  readonly target: string
  readonly mode: 'readonly' | 'readwrite'
  /** What the worker mounts: the source itself (readonly) or a private working copy (readwrite). */
  readonly mountedPath: string
  /** readwrite only: an untouched copy of the source at mount time, the baseline for changes. */
  readonly baselinePath?: string
  /** Temp directory holding the copies; removed by {@link disposeMount}. */
  readonly tempDir?: string
}

/**
 * Checks a mount target: absolute, normalised, strictly inside `/wordpress/`, and not over WordPress core
 * (`wp-admin`, `wp-includes`) which is a shared read-only layer.
 */
export function checkMountTarget(target: string): string {
  const normalised = posix.normalize(target)
  if (!target.startsWith('/') || target.split('/').includes('..')) {
    throw new MountError(
      'MOUNT_INVALID',
      `Mount target ${JSON.stringify(target)} must be an absolute path without ".." segments.`,
      {
        target,
      },
    )
  }
  const trimmed = normalised.replace(/\/+$/, '')
  if (!trimmed.startsWith(MOUNT_ROOT) || trimmed.length <= MOUNT_ROOT.length) {
    throw new MountError(
      'MOUNT_INVALID',
      `Mount target ${JSON.stringify(target)} is outside the WordPress tree; mount under ${MOUNT_ROOT}, e.g. /wordpress/wp-content/plugins/my-plugin.`,
      { target },
    )
  }
  if (/^\/wordpress\/(wp-admin|wp-includes)(\/|$)/.test(trimmed)) {
    throw new MountError(
      'MOUNT_INVALID',
      `Mount target ${JSON.stringify(target)} is inside WordPress core, which is read-only and shared.`,
      {
        target,
      },
    )
  }
  return trimmed
}

/** Resolves the host source and refuses a missing source or one holding symlinks that point outside it. */
export async function resolveMountSource(source: string): Promise<string> {
  const absolute = resolve(source)
  let real: string
  try {
    real = await realpath(absolute)
  } catch {
    throw new MountError(
      'MOUNT_SOURCE_MISSING',
      `Mount source ${JSON.stringify(source)} does not exist; create it or fix the path.`,
      {
        source,
      },
    )
  }
  const info = await stat(real)
  if (!info.isDirectory()) {
    throw new MountError(
      'MOUNT_INVALID',
      `Mount source ${JSON.stringify(source)} is not a directory; mount the directory that contains it.`,
      {
        source,
      },
    )
  }
  await assertNoEscapingSymlinks(real)
  return real
}

async function assertNoEscapingSymlinks(root: string): Promise<void> {
  const pending = [root]
  while (pending.length > 0) {
    const dir = pending.pop() as string
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isSymbolicLink()) {
        let target: string
        try {
          target = await realpath(path)
        } catch {
          throw new MountError(
            'MOUNT_SYMLINK_ESCAPE',
            `Symlink ${path} -> ${await readlink(path)} is dangling; remove it before mounting.`,
            {
              path,
            },
          )
        }
        if (target !== root && !target.startsWith(root + sep)) {
          throw new MountError(
            'MOUNT_SYMLINK_ESCAPE',
            `Symlink ${path} points outside the mount source (to ${target}); the sandbox may only see the mounted tree.`,
            { path },
          )
        }
      } else if (entry.isDirectory()) {
        pending.push(path)
      }
    }
  }
}

/** Prepares a mount: readonly mounts the source itself; readwrite gets a private copy plus a baseline copy. */
export async function prepareMount(
  id: string,
  spec: { source: string; target: string; mode: 'readonly' | 'readwrite' },
  realSource: string,
): Promise<PreparedMount> {
  const target = checkMountTarget(spec.target)
  if (spec.mode === 'readonly')
    return { id, source: realSource, target, mode: 'readonly', mountedPath: realSource }
  const tempDir = await mkdtemp(join(tmpdir(), 'codebox-mount-'))
  const baselinePath = join(tempDir, 'baseline')
  const mountedPath = join(tempDir, 'work')
  try {
    await cp(realSource, baselinePath, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true })
    await cp(baselinePath, mountedPath, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true })
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true })
    throw error
  }
  return { id, source: realSource, target, mode: 'readwrite', mountedPath, baselinePath, tempDir }
}

/** Removes a mount's private copies. */
export async function disposeMount(mount: PreparedMount): Promise<void> {
  if (mount.tempDir) await rm(mount.tempDir, { recursive: true, force: true })
}

/** {@link disposeMount} for process exit, where nothing can be awaited. */
export function disposeMountSync(mount: PreparedMount): void {
  if (mount.tempDir) rmSync(mount.tempDir, { recursive: true, force: true })
}

async function listFiles(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.isFile()) files.set(relative(root, path).split(sep).join('/'), path)
    }
  }
  await walk(root)
  return files
}

/** What a readwrite mount changed against its baseline: added, modified and deleted files with their bytes. */
export async function diffMount(mount: PreparedMount): Promise<ChangedFile[]> {
  if (mount.mode !== 'readwrite' || !mount.baselinePath) return []
  const [before, after] = await Promise.all([listFiles(mount.baselinePath), listFiles(mount.mountedPath)])
  const changes: ChangedFile[] = []
  for (const [path, file] of after) {
    const old = before.get(path)
    const next = new Uint8Array(await readFile(file))
    if (!old) {
      changes.push({ mount: mount.id, path, status: 'added', after: next })
      continue
    }
    const oldInfo = await lstat(old)
    const previous = oldInfo.size === next.byteLength ? new Uint8Array(await readFile(old)) : undefined
    if (previous && Buffer.from(previous).equals(Buffer.from(next))) continue
    changes.push({
      mount: mount.id,
      path,
      status: 'modified',
      before: previous ?? new Uint8Array(await readFile(old)),
      after: next,
    })
  }
  for (const [path, file] of before) {
    if (!after.has(path))
      changes.push({ mount: mount.id, path, status: 'deleted', before: new Uint8Array(await readFile(file)) })
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path))
}

/** True when `path` is an absolute host path. */
export function isAbsoluteHostPath(path: string): boolean {
  return isAbsolute(path)
}
