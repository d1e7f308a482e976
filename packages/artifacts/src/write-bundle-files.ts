import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { link, lstat, mkdir, open, rename, rm, unlink } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import tar from 'tar-stream'
import { ArtifactsError } from './artifacts-error.js'
import { CANONICAL_GZIP_HEADER } from './bundle-paths.js'

/** Where a bundle goes and in which form; see `WriteBundleOptions`. */
export interface BundleTargetOptions {
  readonly directory?: string | undefined
  readonly name?: string | undefined
  readonly path?: string | undefined
}

/**
 * Writes a bundle's files to `target` in one step: a directory or a `tar.gz` with identical content. Everything
 * is written into a hidden sibling (`.<name>.tmp-<random>`) and moved into place, so a crash leaves either the
 * whole bundle or none. Refuses (`BUNDLE_EXISTS`) when the target exists; any other failure is
 * `BUNDLE_WRITE_FAILED`, with the temporary files removed.
 */
export async function writeBundleFiles(
  target: string,
  format: 'directory' | 'tar.gz',
  files: [string, Uint8Array][],
  createdAt: string,
): Promise<void> {
  await mkdir(dirname(target), { recursive: true })
  if (format === 'directory') await writeDirectoryAtomically(target, files)
  else await writeTarballAtomically(target, files, createdAt)
}

/**
 * The absolute path of the bundle: `path` as given, or `<directory>/<name>` (default name
 * `codebox-bundle-<bundleId>`, plus `.tar.gz` for a tarball). Fails with `BUNDLE_INPUT_INVALID` when neither is
 * given or the name is not a plain file name.
 */
export function bundleTarget(
  options: BundleTargetOptions,
  bundleId: string,
  format: 'directory' | 'tar.gz',
): string {
  if (options.path !== undefined) return resolve(options.path)
  if (options.directory === undefined) {
    throw new ArtifactsError('BUNDLE_INPUT_INVALID', 'Either `directory` or `path` is required.', {
      issues: [{ path: '$.directory', message: 'required when `path` is not given' }],
    })
  }
  return join(resolve(options.directory), bundleName(options.name ?? `codebox-bundle-${bundleId}`, format))
}

function bundleName(name: string, format: 'directory' | 'tar.gz'): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(name)) {
    throw new ArtifactsError(
      'BUNDLE_INPUT_INVALID',
      'The bundle name must be a plain file name not starting with a dot.',
      {
        issues: [{ path: '$.name', message: 'must match /^[A-Za-z0-9][A-Za-z0-9._-]*$/' }],
      },
    )
  }
  return format === 'tar.gz' && !name.endsWith('.tar.gz') ? `${name}.tar.gz` : name
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

function tempName(target: string): string {
  const base = target.slice(dirname(target).length + 1)
  return join(dirname(target), `.${base}.tmp-${randomBytes(8).toString('hex')}`)
}

async function writeDirectoryAtomically(target: string, files: [string, Uint8Array][]): Promise<void> {
  if (await exists(target))
    throw new ArtifactsError('BUNDLE_EXISTS', 'A bundle already exists at the target path.', {
      details: { path: target },
    })
  const tmp = tempName(target)
  try {
    await mkdir(tmp)
    for (const [path, bytes] of files) {
      const abs = join(tmp, path)
      await mkdir(dirname(abs), { recursive: true })
      const fh = await open(abs, 'wx', 0o644)
      try {
        await fh.writeFile(bytes)
        await fh.sync()
      } finally {
        await fh.close()
      }
    }
    // rename() would replace an empty directory, so check again as late as possible.
    if (await exists(target))
      throw new ArtifactsError('BUNDLE_EXISTS', 'A bundle already exists at the target path.', {
        details: { path: target },
      })
    await rename(tmp, target)
  } catch (e) {
    await rm(tmp, { recursive: true, force: true })
    if (e instanceof ArtifactsError) throw e
    throw new ArtifactsError('BUNDLE_WRITE_FAILED', 'Writing the bundle failed.', {
      cause: e,
      details: { path: target },
    })
  }
}

/** Rewrites the gzip header's XFL and OS bytes so every tarball starts with {@link CANONICAL_GZIP_HEADER}. */
function canonicalGzipHeader(): Transform {
  let offset = 0
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (offset < CANONICAL_GZIP_HEADER.byteLength) {
        const copy = Buffer.from(chunk)
        for (let i = 0; i < copy.byteLength && offset + i < CANONICAL_GZIP_HEADER.byteLength; i++) {
          copy[i] = CANONICAL_GZIP_HEADER[offset + i]!
        }
        offset += chunk.byteLength
        done(null, copy)
        return
      }
      offset += chunk.byteLength
      done(null, chunk)
    },
  })
}

async function writeTarballAtomically(
  target: string,
  files: [string, Uint8Array][],
  createdAt: string,
): Promise<void> {
  if (await exists(target))
    throw new ArtifactsError('BUNDLE_EXISTS', 'A bundle already exists at the target path.', {
      details: { path: target },
    })
  const tmp = tempName(target)
  const mtime = new Date(createdAt)
  const safeMtime = Number.isNaN(mtime.getTime()) ? new Date(0) : mtime
  try {
    const pack = tar.pack()
    const written = pipeline(
      pack,
      createGzip({ level: 6 }),
      canonicalGzipHeader(),
      createWriteStream(tmp, { flags: 'wx', mode: 0o644 }),
    )
    for (const [name, bytes] of files) {
      await new Promise<void>((res, rej) => {
        pack.entry(
          {
            name,
            size: bytes.byteLength,
            mode: 0o644,
            mtime: safeMtime,
            uid: 0,
            gid: 0,
            uname: '',
            gname: '',
            type: 'file',
          },
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          (err) => (err ? rej(err) : res()),
        )
      })
    }
    pack.finalize()
    await written
    const fh = await open(tmp, 'r+')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
    try {
      await link(tmp, target) // fails with EEXIST instead of replacing: no clobbering, no window
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new ArtifactsError('BUNDLE_EXISTS', 'A bundle already exists at the target path.', {
          details: { path: target },
        })
      }
      throw e
    }
    await unlink(tmp)
  } catch (e) {
    await rm(tmp, { force: true })
    if (e instanceof ArtifactsError) throw e
    throw new ArtifactsError('BUNDLE_WRITE_FAILED', 'Writing the bundle failed.', {
      cause: e,
      details: { path: target },
    })
  }
}
