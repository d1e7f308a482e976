import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import tar from 'tar-stream'
import { z } from 'zod'
import { BackendPlaygroundError } from '../errors.js'

/** Schema id of the snapshot manifest. */
export const SNAPSHOT_SCHEMA = 'codebox/playground-snapshot/v1'

/** The largest snapshot (unpacked) that is read: far above a site layer, low enough to refuse a gzip bomb. */
const MAX_SNAPSHOT_BYTES = 2 * 1024 * 1024 * 1024

const Sha256 = z.string().regex(/^sha256:[0-9a-f]{64}$/)

/** The manifest at the start of every snapshot file (`snapshot.json`). */
export const SnapshotManifestSchema = z.strictObject({
  schema: z.literal(SNAPSHOT_SCHEMA),
  id: z.string(),
  createdAt: z.string(),
  backend: z.literal('playground'),
  php: z.string(),
  wordpress: z.string(),
  /** The immutable layers the snapshot sits on; restoring needs the same ones. */
  layers: z.strictObject({
    core: Sha256,
    sqlite: Sha256,
    plugins: z.array(
      // A local plugin without a `Version:` header has no version: its sha256 names it.
      z.strictObject({ slug: z.string(), version: z.string().optional(), sha256: z.string() }),
    ),
  }),
  /** Site-layer files that differ from the template, stored under `site/<path>`. */
  files: z.array(z.strictObject({ path: z.string(), size: z.number().int().nonnegative(), sha256: Sha256 })),
  /** Template files the runtime deleted. */
  deleted: z.array(z.string()),
})

/** The snapshot manifest. */
export type SnapshotManifest = z.infer<typeof SnapshotManifestSchema>

/** A decoded snapshot: its manifest and file contents by path. */
export interface DecodedSnapshot {
  readonly manifest: SnapshotManifest
  readonly files: ReadonlyMap<string, Uint8Array>
}

/** The file is not a valid Playground snapshot. */
export class SnapshotFormatError extends BackendPlaygroundError {
  constructor(message: string, cause?: unknown) {
    super('SNAPSHOT_INVALID', `Invalid snapshot: ${message}`, { cause })
  }
}

/** `sha256:<hex>` of bytes. */
export function sha256Of(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

function safePath(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !path.split('/').some((part) => part === '..' || part === '')
}

/**
 * Encodes a snapshot as one gzip-compressed tar: `snapshot.json` first, then `site/<path>` for each file.
 * Entries are written in path order with fixed times so equal snapshots are byte-identical.
 */
export async function encodeSnapshot(
  manifest: Omit<SnapshotManifest, 'schema' | 'files'>,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<Uint8Array> {
  const paths = [...files.keys()].sort()
  const full: SnapshotManifest = {
    schema: SNAPSHOT_SCHEMA,
    ...manifest,
    files: paths.map((path) => {
      const bytes = files.get(path) as Uint8Array
      return { path, size: bytes.byteLength, sha256: sha256Of(bytes) }
    }),
  }
  const pack = tar.pack()
  const mtime = new Date(0)
  pack.entry({ name: 'snapshot.json', mtime }, JSON.stringify(full, null, 2))
  for (const path of paths)
    pack.entry({ name: `site/${path}`, mtime }, Buffer.from(files.get(path) as Uint8Array))
  pack.finalize()
  const gzip = createGzip({ level: 6 })
  const [out] = await Promise.all([buffer(gzip), pipeline(pack, gzip)])
  return new Uint8Array(out)
}

/** Decodes and verifies a snapshot file: manifest schema, safe paths, and every file's size and hash. */
export async function decodeSnapshot(bytes: Uint8Array): Promise<DecodedSnapshot> {
  const extract = tar.extract()
  let manifestText: string | undefined
  const files = new Map<string, Uint8Array>()
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = []
    // A truncated or corrupt archive destroys the current entry stream with an error; the pipeline below reports
    // it, so it must not also surface here as an unhandled 'error' event (an uncaught exception in the host).
    stream.on('error', () => {})
    stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer))
    stream.on('end', () => {
      const data = Buffer.concat(chunks)
      if (header.type !== 'file') {
        next(new SnapshotFormatError(`entry ${header.name} is a ${header.type}, only files are allowed`))
        return
      }
      if (header.name === 'snapshot.json') manifestText = data.toString('utf8')
      else if (header.name.startsWith('site/') && safePath(header.name.slice(5)))
        files.set(header.name.slice(5), new Uint8Array(data))
      else {
        next(new SnapshotFormatError(`unexpected entry ${JSON.stringify(header.name)}`))
        return
      }
      next()
    })
    stream.resume()
  })
  try {
    await pipeline(
      Readable.from([Buffer.from(bytes)]),
      createGunzip({ maxOutputLength: MAX_SNAPSHOT_BYTES }),
      extract,
    )
  } catch (error) {
    if (error instanceof SnapshotFormatError) throw error
    throw new SnapshotFormatError(
      `not a gzip-compressed tar snapshot file, or larger than ${MAX_SNAPSHOT_BYTES} bytes unpacked`,
      error,
    )
  }
  if (!manifestText) throw new SnapshotFormatError('snapshot.json is missing')
  let manifest: SnapshotManifest
  try {
    manifest = SnapshotManifestSchema.parse(JSON.parse(manifestText))
  } catch (error) {
    throw new SnapshotFormatError(`snapshot.json does not match ${SNAPSHOT_SCHEMA}`, error)
  }
  const listed = new Set(manifest.files.map((file) => file.path))
  for (const file of manifest.files) {
    const data = files.get(file.path)
    if (!data) throw new SnapshotFormatError(`file ${file.path} is listed but missing`)
    if (data.byteLength !== file.size || sha256Of(data) !== file.sha256) {
      throw new SnapshotFormatError(`file ${file.path} does not match its recorded hash`)
    }
  }
  for (const path of files.keys())
    if (!listed.has(path)) throw new SnapshotFormatError(`file ${path} is not listed`)
  return { manifest, files }
}
