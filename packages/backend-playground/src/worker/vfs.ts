/**
 * Low-level helpers over php-wasm's Emscripten filesystem (`FS`): copying host trees into MEMFS,
 * read-only NODEFS mounts and reading a VFS tree back.
 *
 * @module
 */
import fs from 'node:fs'
import path from 'node:path'
import type {
  EmscriptenFS,
  EmscriptenNode,
  EmscriptenOps,
  EmscriptenStream,
  MountHandler,
} from './php-wasm-api.js'

/** Emscripten errno for "read-only file system". */
const EROFS = 69
const O_ACCMODE = 3
const O_TRUNC = 512

/** Options of {@link copyHostTreeToVfs}. */
export interface CopyHostTreeOptions {
  /** Leave out an entry (and, for a directory, everything under it); `relativePath` is `/`-separated. */
  readonly skip?: (relativePath: string) => boolean
}

/**
 * Copies a host directory tree into the VFS (MEMFS), keeping each file's mtime. Symlinks are followed.
 * Returns how many files and bytes were copied.
 */
export function copyHostTreeToVfs(
  FS: EmscriptenFS,
  hostDir: string,
  vfsDir: string,
  options: CopyHostTreeOptions = {},
): { files: number; bytes: number } {
  let files = 0
  let bytes = 0
  const walk = (hostPath: string, vfsPath: string, rel: string): void => {
    FS.mkdirTree(vfsPath)
    for (const entry of fs.readdirSync(hostPath, { withFileTypes: true })) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (options.skip?.(childRel)) continue
      const childHost = path.join(hostPath, entry.name)
      const childVfs = `${vfsPath}/${entry.name}`
      const stat = entry.isSymbolicLink() ? fs.statSync(childHost) : entry
      if (stat.isDirectory()) walk(childHost, childVfs, childRel)
      else if (stat.isFile()) {
        const data = fs.readFileSync(childHost)
        FS.writeFile(childVfs, data)
        // Keep the layer's mtime: a copy stamped "now" is one OPcache will not cache for
        // opcache.file_update_protection seconds, so every fresh runtime recompiled core.
        const { atimeMs, mtimeMs } = fs.statSync(childHost)
        FS.utime(childVfs, atimeMs, mtimeMs)
        files++
        bytes += data.byteLength
      }
    }
  }
  walk(hostDir, vfsDir, '')
  return { files, bytes }
}

const patchedNodeFs = new WeakSet<object>()

type Op = (this: unknown, ...args: unknown[]) => unknown

/** Wraps `ops[name]` (when it exists) so that `guard` runs before it with the same arguments. */
function guardOp(ops: EmscriptenOps, name: string, guard: (...args: unknown[]) => void): void {
  const original = ops[name] as Op | undefined
  if (typeof original !== 'function') return
  const guarded: Op = function (this: unknown, ...args: unknown[]) {
    guard(...args)
    return original.apply(this, args)
  }
  ops[name] = guarded
}

/**
 * Makes NODEFS honour a `codeboxReadOnly: true` mount option: every mutating node or stream
 * operation under such a mount throws EROFS. Emscripten has no read-only mounts and its permission
 * checks rely on host modes, which PHP could change through chmod() (NODEFS forwards chmod to the
 * host), so the check is done here, before anything reaches the host filesystem. Idempotent.
 */
export function enableReadOnlyNodeFsMounts(FS: EmscriptenFS): void {
  const NODEFS = FS.filesystems.NODEFS
  if (patchedNodeFs.has(NODEFS)) return
  patchedNodeFs.add(NODEFS)
  const isReadOnly = (node: unknown): boolean =>
    Boolean((node as EmscriptenNode | undefined)?.mount?.opts?.codeboxReadOnly)
  const deny = (): never => {
    throw new FS.ErrnoError(EROFS)
  }
  for (const name of ['mknod', 'unlink', 'rmdir', 'symlink', 'setattr']) {
    guardOp(NODEFS.node_ops, name, (node) => {
      if (isReadOnly(node)) deny()
    })
  }
  guardOp(NODEFS.node_ops, 'rename', (oldNode, newDir) => {
    if (isReadOnly(oldNode) || isReadOnly(newDir)) deny()
  })
  guardOp(NODEFS.stream_ops, 'open', (stream) => {
    const { node, flags } = stream as EmscriptenStream
    if (isReadOnly(node) && ((flags & O_ACCMODE) !== 0 || (flags & O_TRUNC) !== 0)) deny()
  })
  guardOp(NODEFS.stream_ops, 'write', (stream) => {
    if (isReadOnly((stream as EmscriptenStream).node)) deny()
  })
}

/** A php-wasm mount handler (`php.mount(vfsPath, handler)`) for a host directory or file via NODEFS. */
export function createNodeFsMount(hostPath: string, options: { readonly readOnly: boolean }): MountHandler {
  return (_php, FS, vfsMountPoint) => {
    const root = fs.realpathSync(hostPath)
    const stat = fs.statSync(root)
    let created = false
    if (!FS.analyzePath(vfsMountPoint).exists) {
      if (stat.isDirectory()) FS.mkdirTree(vfsMountPoint)
      else {
        FS.mkdirTree(path.posix.dirname(vfsMountPoint))
        FS.writeFile(vfsMountPoint, '')
      }
      created = true
    }
    if (options.readOnly) enableReadOnlyNodeFsMounts(FS)
    FS.mount(FS.filesystems.NODEFS, { root, codeboxReadOnly: options.readOnly }, vfsMountPoint)
    return () => {
      FS.unmount(vfsMountPoint)
      if (created) {
        if (stat.isDirectory()) FS.rmdir(vfsMountPoint)
        else FS.unlink(vfsMountPoint)
      }
    }
  }
}

/** Options of {@link exportVfsTree}. */
export interface ExportVfsTreeOptions {
  /**
   * Leave out subtrees that are other mounts (e.g. the read-only core or host mounts), so only the
   * runtime's own files are read. Default false.
   */
  readonly skipMounts?: boolean
}

/**
 * Reads a VFS tree back as files relative to `vfsDir`. Symlinks are not followed. Fails (code
 * `EXPORT_TOO_LARGE`) instead of reading more than `maxBytes` in total.
 */
export function exportVfsTree(
  FS: EmscriptenFS,
  vfsDir: string,
  maxBytes: number,
  options: ExportVfsTreeOptions = {},
): { path: string; bytes: Uint8Array }[] {
  const out: { path: string; bytes: Uint8Array }[] = []
  let total = 0
  const root = vfsDir.replace(/\/+$/, '') || '/'
  const rootMount = FS.lookupPath(root).node.mount
  const walk = (dir: string, rel: string): void => {
    for (const name of FS.readdir(dir)) {
      if (name === '.' || name === '..') continue
      const full = `${dir === '/' ? '' : dir}/${name}`
      const childRel = rel === '' ? name : `${rel}/${name}`
      const stat = FS.lstat(full)
      if (options.skipMounts && FS.lookupPath(full, { follow: false }).node.mount !== rootMount) continue
      if (FS.isDir(stat.mode)) walk(full, childRel)
      else if (FS.isFile(stat.mode)) {
        total += stat.size
        if (total > maxBytes) {
          throw Object.assign(new Error(`exportDir: ${vfsDir} holds more than ${maxBytes} bytes`), {
            code: 'EXPORT_TOO_LARGE',
          })
        }
        out.push({ path: childRel, bytes: FS.readFile(full) })
      }
    }
  }
  walk(root, '')
  return out
}
