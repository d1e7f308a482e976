import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { link, lstat, mkdir, open, rename, rm, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import tar from 'tar-stream'
import { ArtifactsError } from './artifacts-error.js'
import { CANONICAL_GZIP_HEADER } from './bundle-paths.js'

/*
 * Writing a bundle's files so that a crash leaves the whole bundle or none: a directory is written into a hidden
 * sibling and renamed into place; a tarball is written to a temp file and hard-linked to its name. Internal to
 * @codebox/artifacts (used by writeBundle).
 */
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

/** Writes `files` into a new directory at `target`, atomically; `BUNDLE_EXISTS` when it exists. */
export async function writeDirectoryAtomically(target: string, files: [string, Uint8Array][]): Promise<void> {
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

/** Writes `files` as a canonical `.tar.gz` at `target`, atomically; `BUNDLE_EXISTS` when it exists. */
export async function writeTarballAtomically(
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
