import { gunzipSync } from 'node:zlib'
import { createRedactor, type Redactor } from './redactor.js'
import type { OmittedFile } from './schemas.js'

/** The snapshot decision: store the bytes unchanged, or leave them out and say why. */
export type SnapshotAdmission =
  | { readonly admit: true }
  | { readonly admit: false; readonly reason: OmittedFile['reason']; readonly detail: string }

const GZIP_MAGIC = [0x1f, 0x8b] as const

/**
 * Decides whether a runtime snapshot may enter a bundle. A snapshot is never redacted: replacing bytes inside a
 * compressed archive or a SQLite file corrupts it, and a secret there may be compressed or split across database
 * pages where no byte matcher can see it. So it is stored unchanged or not at all:
 *
 * - any declared secret → left out (`secrets-declared`): PHP may have written it into the database, and that
 *   cannot be ruled out by scanning;
 * - larger than `maxBytes`, compressed or decompressed → left out (`too-large`);
 * - a credential shape in the bytes or, for gzip, in the decompressed bytes → left out (`credential-shape`);
 * - gzip that does not decompress → left out (`unscannable`).
 *
 * Scanning is a check only, never a transform, so an admitted snapshot restores exactly as it was taken.
 */
export function admitSnapshot(
  bytes: Uint8Array,
  options: { readonly redactor: Redactor; readonly maxBytes: number },
): SnapshotAdmission {
  const names = options.redactor.secretNames
  if (names.length > 0) {
    return {
      admit: false,
      reason: 'secrets-declared',
      detail: `${names.length} declared secret(s) (${[...names].sort().join(', ')}) were registered with the redactor; a snapshot is stored only unredacted, and whether PHP wrote a secret into the database cannot be proven, so it was left out. Take it with runtime.snapshot() and keep it as secret as the credentials.`,
    }
  }
  if (bytes.byteLength > options.maxBytes) {
    return {
      admit: false,
      reason: 'too-large',
      detail: `the snapshot is ${bytes.byteLength} bytes, over the ${options.maxBytes}-byte limit`,
    }
  }
  // A fresh redactor has no secrets; it only looks for credential shapes, and its counts are thrown away.
  const shapes = createRedactor()
  const hasShape = (view: Uint8Array): boolean => Buffer.compare(shapes.redactBytes(view), view) !== 0
  if (hasShape(bytes)) {
    return {
      admit: false,
      reason: 'credential-shape',
      detail: 'the snapshot bytes contain a credential-shaped value (see "Redaction guarantees")',
    }
  }
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    let inflated: Buffer
    try {
      inflated = gunzipSync(bytes, { maxOutputLength: options.maxBytes })
    } catch (error) {
      const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
      return {
        admit: false,
        reason: tooLarge ? 'too-large' : 'unscannable',
        detail: tooLarge
          ? `the snapshot decompresses to more than the ${options.maxBytes}-byte limit`
          : 'the snapshot looks gzip-compressed but does not decompress, so it cannot be scanned',
      }
    }
    if (hasShape(inflated)) {
      return {
        admit: false,
        reason: 'credential-shape',
        detail: 'the decompressed snapshot contains a credential-shaped value (see "Redaction guarantees")',
      }
    }
  }
  return { admit: true }
}
