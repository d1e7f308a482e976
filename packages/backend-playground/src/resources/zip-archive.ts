import { readFile } from 'node:fs/promises'
import { type Unzipped, unzipSync, type Zippable, zipSync } from 'fflate'
import { walkTree } from './resource-digest.js'
import { ResourceArchiveError } from './resource-errors.js'

/** Refuse archives that would expand beyond this (zip bombs). */
const MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
const MAX_ENTRIES = 50_000
const S_IFMT = 0o170000
const S_IFLNK = 0o120000

/** The files of a plugin zip, relative to the plugin directory. */
export interface PluginArchive {
  /** `/`-separated path inside the plugin directory → bytes. Directories are not listed. */
  readonly files: ReadonlyMap<string, Uint8Array>
  /** The single top-level directory the zip wrapped its files in (`wp-graphql`), if it had one. */
  readonly rootDirectory: string | undefined
}

/** Throws unless a zip entry name stays inside the directory it is extracted to. */
export function assertSafeEntryName(name: string, location: string): void {
  const parts = name.split(/[\\/]/)
  const unsafe =
    name.includes('\0') ||
    name.startsWith('/') ||
    name.startsWith('\\') ||
    /^[A-Za-z]:/.test(name) ||
    parts.some((part) => part === '..')
  if (unsafe) {
    throw new ResourceArchiveError(
      'unsafe-path',
      `Zip ${location} has an entry that escapes its directory: ${JSON.stringify(name)}. Refusing to extract it; ` +
        'rebuild the zip with relative paths only.',
      { location, entry: name },
    )
  }
}

interface CentralEntry {
  readonly name: string
  readonly unixMode: number | undefined
}

/** Reads the central directory (names and Unix modes), which fflate does not expose, to find symlink entries. */
function readCentralDirectory(bytes: Uint8Array, location: string): CentralEntry[] {
  const corrupt = (why: string): ResourceArchiveError =>
    new ResourceArchiveError('corrupt', `${location} is not a readable zip (${why}).`, { location })
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let eocd = -1
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw corrupt('no end-of-central-directory record')
  let count = view.getUint16(eocd + 10, true)
  let offset = view.getUint32(eocd + 16, true)
  if (count === 0xffff || offset === 0xffffffff) {
    const locator = eocd - 20
    if (locator < 0 || view.getUint32(locator, true) !== 0x07064b50) throw corrupt('bad zip64 locator')
    const record = Number(view.getBigUint64(locator + 8, true))
    if (record + 56 > bytes.length || view.getUint32(record, true) !== 0x06064b50)
      throw corrupt('bad zip64 record')
    count = Number(view.getBigUint64(record + 32, true))
    offset = Number(view.getBigUint64(record + 48, true))
  }
  if (count > MAX_ENTRIES) {
    throw new ResourceArchiveError(
      'too-large',
      `Zip ${location} has ${count} entries (limit ${MAX_ENTRIES}).`,
      {
        location,
      },
    )
  }
  const entries: CentralEntry[] = []
  let p = offset
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50)
      throw corrupt('bad central directory')
    const madeBy = view.getUint16(p + 4, true) >> 8
    const utf8 = (view.getUint16(p + 8, true) & 0x0800) !== 0
    const nameLength = view.getUint16(p + 28, true)
    const extraLength = view.getUint16(p + 30, true)
    const commentLength = view.getUint16(p + 32, true)
    const external = view.getUint32(p + 38, true)
    const name = new TextDecoder(utf8 ? 'utf-8' : 'latin1').decode(
      bytes.subarray(p + 46, p + 46 + nameLength),
    )
    // Unix (3) and macOS (19) keep the st_mode in the high 16 bits of the external attributes.
    entries.push({ name, unixMode: madeBy === 3 || madeBy === 19 ? external >>> 16 : undefined })
    p += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

/**
 * Reads a plugin zip safely: refuses entries that escape the target (`..`, absolute paths, drive letters),
 * symlink entries, corrupt archives and archives expanding past 512 MiB. When every entry sits in one top-level
 * directory (`wp-graphql/…`, as on WordPress.org), that directory is stripped, so `files` is relative to the
 * plugin directory. `__MACOSX/` metadata is ignored.
 *
 * @throws {@link ResourceArchiveError} (code `RESOURCE_ARCHIVE_INVALID`).
 */
export function readPluginZip(bytes: Uint8Array, location: string): PluginArchive {
  for (const entry of readCentralDirectory(bytes, location)) {
    assertSafeEntryName(entry.name, location)
    if (entry.unixMode !== undefined && (entry.unixMode & S_IFMT) === S_IFLNK) {
      throw new ResourceArchiveError(
        'symlink',
        `Zip ${location} has a symlink entry ${JSON.stringify(entry.name)}; plugin zips may not contain symlinks.`,
        { location, entry: entry.name },
      )
    }
  }
  let total = 0
  let unzipped: Unzipped
  try {
    unzipped = unzipSync(bytes, {
      filter: (file) => {
        assertSafeEntryName(file.name, location)
        total += file.originalSize
        if (total > MAX_UNCOMPRESSED_BYTES) {
          throw new ResourceArchiveError(
            'too-large',
            `Zip ${location} expands to more than ${MAX_UNCOMPRESSED_BYTES} bytes; refusing to extract it.`,
            { location },
          )
        }
        return !file.name.startsWith('__MACOSX/')
      },
    })
  } catch (error) {
    if (error instanceof ResourceArchiveError) throw error
    throw new ResourceArchiveError(
      'corrupt',
      `${location} is not a readable zip (${String(error)}).`,
      { location },
      error,
    )
  }
  const names = Object.keys(unzipped)
    .map((name) => name.replace(/\\/g, '/'))
    .filter((name) => !name.endsWith('/'))
  const firstSegments = new Set(names.map((name) => (name.includes('/') ? name.split('/')[0] : '')))
  const [onlySegment] = firstSegments
  const rootDirectory = firstSegments.size === 1 && onlySegment !== '' ? onlySegment : undefined
  const files = new Map<string, Uint8Array>()
  for (const [rawName, data] of Object.entries(unzipped)) {
    const name = rawName.replace(/\\/g, '/')
    if (name.endsWith('/')) continue
    const relative = rootDirectory === undefined ? name : name.slice(rootDirectory.length + 1)
    const clean = relative
      .split('/')
      .filter((part) => part !== '' && part !== '.')
      .join('/')
    if (clean !== '') files.set(clean, data)
  }
  return { files, rootDirectory }
}

/** Fixed entry time so that zipping the same directory twice gives the same bytes (and hash). */
const FIXED_MTIME = new Date(Date.UTC(1980, 0, 1, 12))

/**
 * Zips a plugin directory deterministically: entries `<slug>/<relative path>` in sorted order, a fixed time, and
 * level-6 deflate. Symlinks are refused (a plugin zip must be self-contained).
 *
 * @throws {@link ResourceArchiveError} with problem `symlink` when the directory holds a symlink.
 */
export async function zipPluginDirectory(directory: string, slug: string): Promise<Uint8Array> {
  const entries: Zippable = {}
  for (const item of await walkTree(directory)) {
    if (item.kind === 'link') {
      throw new ResourceArchiveError(
        'symlink',
        `${item.absolute} is a symlink; copy the file it points to into the plugin directory before adding it.`,
        { location: directory, entry: item.relative },
      )
    }
    entries[`${slug}/${item.relative}`] = [await readFile(item.absolute), { mtime: FIXED_MTIME }]
  }
  return zipSync(entries, { level: 6 })
}
