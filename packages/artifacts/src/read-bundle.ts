import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { lstat, open, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib'
import tar from 'tar-stream'
import { CANONICAL_GZIP_HEADER, unsafePathReason } from './bundle-paths.js'
import type { VerificationProblem } from './schemas.js'

/** One regular file found in a bundle. */
export interface BundleEntry {
  readonly size: number
  readonly sha256: string
  /** The bytes, when the caller asked to keep them. */
  readonly content?: Buffer
}

/** Everything read from a bundle, structural problems included. */
export interface ReadBundleResult {
  readonly format: 'directory' | 'tar.gz'
  readonly entries: Map<string, BundleEntry>
  readonly directories: Set<string>
  readonly problems: VerificationProblem[]
}

/** Options for {@link readBundle}. */
export interface ReadBundleOptions {
  /** Which files to keep in memory. */
  keep: (path: string) => boolean
  /** Larger kept files are reported `too-large` instead of being buffered. */
  maxKeepBytes: number
}

/** Reads a bundle directory or tarball without extracting anything to disk, hashing every regular file. */
export async function readBundle(path: string, options: ReadBundleOptions): Promise<ReadBundleResult> {
  const problems: VerificationProblem[] = []
  let stat: Awaited<ReturnType<typeof lstat>>
  try {
    stat = await lstat(path)
  } catch (e) {
    problems.push({
      code: 'missing-file',
      path: '.',
      message: `bundle not found (${(e as NodeJS.ErrnoException).code})`,
    })
    return { format: 'directory', entries: new Map(), directories: new Set(), problems }
  }
  if (stat.isSymbolicLink()) {
    problems.push({ code: 'symlink', path: '.', message: 'the bundle path itself is a symbolic link' })
    return { format: 'directory', entries: new Map(), directories: new Set(), problems }
  }
  if (stat.isDirectory()) return readDirectory(path, options, problems)
  if (stat.isFile()) return readTarball(path, options, problems)
  problems.push({
    code: 'special-file',
    path: '.',
    message: 'the bundle path is neither a directory nor a file',
  })
  return { format: 'directory', entries: new Map(), directories: new Set(), problems }
}

async function hashStream(
  stream: AsyncIterable<Buffer>,
  keep: boolean,
  maxKeepBytes: number,
): Promise<{ size: number; sha256: string; content?: Buffer; tooLarge: boolean }> {
  const hash = createHash('sha256')
  const chunks: Buffer[] = []
  let size = 0
  let tooLarge = false
  for await (const chunk of stream) {
    hash.update(chunk)
    size += chunk.byteLength
    if (keep && !tooLarge) {
      if (size > maxKeepBytes) {
        tooLarge = true
        chunks.length = 0
      } else chunks.push(chunk)
    }
  }
  const sha256 = hash.digest('hex')
  return keep && !tooLarge
    ? { size, sha256, content: Buffer.concat(chunks), tooLarge }
    : { size, sha256, tooLarge }
}

async function readDirectory(
  root: string,
  options: ReadBundleOptions,
  problems: VerificationProblem[],
): Promise<ReadBundleResult> {
  const entries = new Map<string, BundleEntry>()
  const directories = new Set<string>()
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort()
    for (const name of names) {
      const relPath = rel === '' ? name : `${rel}/${name}`
      const abs = join(root, relPath)
      const st = await lstat(abs)
      if (st.isSymbolicLink())
        problems.push({ code: 'symlink', path: relPath, message: 'symbolic link in bundle' })
      else if (st.isDirectory()) {
        directories.add(relPath)
        await walk(relPath)
      } else if (st.isFile()) {
        if (st.nlink > 1) {
          problems.push({ code: 'hardlink', path: relPath, message: `file has ${st.nlink} hard links` })
          continue
        }
        const keep = options.keep(relPath)
        const r = await hashStream(createReadStream(abs), keep, options.maxKeepBytes)
        if (r.tooLarge)
          problems.push({ code: 'too-large', path: relPath, message: 'document exceeds the size limit' })
        entries.set(relPath, r)
      } else
        problems.push({
          code: 'special-file',
          path: relPath,
          message: 'special file (device, FIFO or socket)',
        })
    }
  }
  try {
    await walk('')
  } catch (e) {
    problems.push({ code: 'unreadable', message: `cannot read bundle directory (${(e as Error).message})` })
  }
  return { format: 'directory', entries, directories, problems }
}

/** Largest tarball re-encoded in memory to check it is canonical; larger ones are checked by content alone. */
const MAX_CANONICAL_CHECK_BYTES = 256 * 1024 * 1024

/** Whether the file equals the canonical header plus level-6 deflate of its own inflated content (as written). */
async function isCanonicalEncoding(path: string): Promise<boolean> {
  const bytes = await readFile(path)
  if (bytes.byteLength > MAX_CANONICAL_CHECK_BYTES) return true
  const encoded = gzipSync(gunzipSync(bytes), { level: 6 })
  return (
    encoded.byteLength === bytes.byteLength &&
    bytes
      .subarray(CANONICAL_GZIP_HEADER.byteLength)
      .equals(encoded.subarray(CANONICAL_GZIP_HEADER.byteLength))
  )
}

async function readTarball(
  path: string,
  options: ReadBundleOptions,
  problems: VerificationProblem[],
): Promise<ReadBundleResult> {
  const entries = new Map<string, BundleEntry>()
  const directories = new Set<string>()
  const result: ReadBundleResult = { format: 'tar.gz', entries, directories, problems }
  const fh = await open(path, 'r')
  try {
    const header = Buffer.alloc(CANONICAL_GZIP_HEADER.byteLength)
    await fh.read(header, 0, header.byteLength, 0)
    if (!header.equals(CANONICAL_GZIP_HEADER)) {
      problems.push({
        code: 'not-canonical',
        message: 'tarball does not start with the canonical gzip header',
      })
    }
  } finally {
    await fh.close()
  }
  const extract = tar.extract()
  const source = createReadStream(path).pipe(createGunzip())
  // gzip reports a bad CRC or length only after the last byte, which can come after the tar's end-of-archive and
  // so after the entries below were read: keep that outcome to check once they are.
  const inflated = finished(source).then(
    () => undefined,
    (error: unknown) => error as Error,
  )
  source.on('error', (e) => extract.destroy(e))
  source.pipe(extract)
  const seen = new Set<string>()
  try {
    for await (const entry of extract) {
      const h = entry.header
      let name = h.name
      if (h.type === 'directory' && name.endsWith('/')) name = name.slice(0, -1)
      const unsafe = unsafePathReason(name)
      if (unsafe) {
        problems.push({ code: 'path-traversal', path: name, message: unsafe })
        entry.resume()
        continue
      }
      if (seen.has(name)) {
        problems.push({ code: 'duplicate-entry', path: name, message: 'entry appears more than once' })
        entry.resume()
        continue
      }
      seen.add(name)
      if (h.type === 'file') {
        const keep = options.keep(name)
        const r = await hashStream(entry as unknown as Readable, keep, options.maxKeepBytes)
        if (r.tooLarge)
          problems.push({ code: 'too-large', path: name, message: 'document exceeds the size limit' })
        entries.set(name, r)
        continue
      }
      entry.resume()
      if (h.type === 'directory') directories.add(name)
      else if (h.type === 'symlink')
        problems.push({ code: 'symlink', path: name, message: 'symbolic link entry' })
      else if (h.type === 'link') problems.push({ code: 'hardlink', path: name, message: 'hard link entry' })
      else
        problems.push({
          code: 'special-file',
          path: name,
          message: `special entry of type ${h.type ?? 'unknown'}`,
        })
    }
    source.resume()
    const late = await inflated
    if (late) throw late
    // Some byte changes leave the inflated content identical (ignored padding bits of the deflate stream), so the
    // hashes inside cannot see them: the file must also be exactly the writer's canonical encoding of its content.
    if (!(await isCanonicalEncoding(path))) {
      problems.push({
        code: 'not-canonical',
        message: 'tarball bytes are not the canonical gzip encoding of its content',
      })
    }
  } catch (e) {
    problems.push({ code: 'unreadable', message: `tarball cannot be read (${(e as Error).message})` })
  }
  return result
}
