// @ts-check
/**
 * Low-level helpers over php-wasm's Emscripten filesystem (`FS`): copying host trees into MEMFS,
 * read-only NODEFS mounts and reading a VFS tree back.
 */
import fs from 'node:fs'
import path from 'node:path'

/** Emscripten errno for "read-only file system". */
const EROFS = 69
const O_ACCMODE = 3
const O_TRUNC = 512

/**
 * @typedef {any} EmscriptenFS Emscripten's FS object (untyped in @php-wasm/universal).
 */

/**
 * Copies a host directory tree into the VFS (MEMFS), keeping each file's mtime. Symlinks are followed.
 *
 * @param {EmscriptenFS} FS
 * @param {string} hostDir
 * @param {string} vfsDir
 * @param {{ skip?: (relativePath: string) => boolean }} [options] `relativePath` is `/`-separated
 * @returns {{ files: number, bytes: number }}
 */
export function copyHostTreeToVfs(FS, hostDir, vfsDir, options = {}) {
  let files = 0
  let bytes = 0
  /** @param {string} hostPath @param {string} vfsPath @param {string} rel */
  const walk = (hostPath, vfsPath, rel) => {
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

/** @type {WeakSet<object>} */
const patchedNodeFs = new WeakSet()

/**
 * Makes NODEFS honour a `codeboxReadOnly: true` mount option: every mutating node or stream
 * operation under such a mount throws EROFS. Emscripten has no read-only mounts and its permission
 * checks rely on host modes, which PHP could change through chmod() (NODEFS forwards chmod to the
 * host), so the check is done here, before anything reaches the host filesystem. Idempotent.
 *
 * @param {EmscriptenFS} FS
 */
export function enableReadOnlyNodeFsMounts(FS) {
  const NODEFS = FS.filesystems.NODEFS
  if (patchedNodeFs.has(NODEFS)) return
  patchedNodeFs.add(NODEFS)
  /** @param {any} node */
  const isReadOnly = (node) => Boolean(node?.mount?.opts?.codeboxReadOnly)
  const deny = () => {
    throw new FS.ErrnoError(EROFS)
  }
  const ops = NODEFS.node_ops
  for (const name of ['mknod', 'unlink', 'rmdir', 'symlink', 'setattr']) {
    const original = ops[name]
    if (typeof original !== 'function') continue
    /** @param {any} node @param {...any} args */
    ops[name] = function (node, ...args) {
      if (isReadOnly(node)) deny()
      return original.call(this, node, ...args)
    }
  }
  const rename = ops.rename
  /** @param {any} oldNode @param {any} newDir @param {string} newName */
  ops.rename = function (oldNode, newDir, newName) {
    if (isReadOnly(oldNode) || isReadOnly(newDir)) deny()
    return rename.call(this, oldNode, newDir, newName)
  }
  const streamOps = NODEFS.stream_ops
  const open = streamOps.open
  /** @param {any} stream */
  streamOps.open = function (stream) {
    if (isReadOnly(stream.node) && ((stream.flags & O_ACCMODE) !== 0 || (stream.flags & O_TRUNC) !== 0))
      deny()
    return open.call(this, stream)
  }
  const write = streamOps.write
  /** @param {any} stream @param {...any} args */
  streamOps.write = function (stream, ...args) {
    if (isReadOnly(stream.node)) deny()
    return write.call(this, stream, ...args)
  }
}

/**
 * A php-wasm mount handler (`php.mount(vfsPath, handler)`) for a host directory or file via NODEFS.
 *
 * @param {string} hostPath
 * @param {{ readOnly: boolean }} options
 * @returns {(php: unknown, FS: EmscriptenFS, vfsMountPoint: string) => () => void}
 */
export function createNodeFsMount(hostPath, options) {
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

/**
 * Reads a VFS tree back as files relative to `vfsDir`. Symlinks are not followed.
 *
 * @param {EmscriptenFS} FS
 * @param {string} vfsDir
 * @param {number} maxBytes fail instead of reading more than this many bytes in total
 * @param {{ skipMounts?: boolean }} [options] `skipMounts`: leave out subtrees that are other
 *   mounts (e.g. the read-only core or host mounts), so only the runtime's own files are read
 * @returns {{ path: string, bytes: Uint8Array }[]}
 */
export function exportVfsTree(FS, vfsDir, maxBytes, options = {}) {
  /** @type {{ path: string, bytes: Uint8Array }[]} */
  const out = []
  let total = 0
  /** @param {string} dir @param {string} rel */
  const walk = (dir, rel) => {
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
  const root = vfsDir.replace(/\/+$/, '') || '/'
  const rootMount = FS.lookupPath(root).node.mount
  walk(root, '')
  return out
}
