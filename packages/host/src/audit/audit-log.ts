import { mkdirSync } from 'node:fs'
import { createStream, type RotatingFileStream } from 'rotating-file-stream'

/** What kind of operation a request was, as the audit trail records it. */
export type AuditOperation =
  | 'graphql.query'
  | 'graphql.mutation'
  | 'rest.read'
  | 'rest.write'
  | 'media.ingest'
  | 'admin.user-add'
  | 'admin.backup'
  | 'admin.restore'
  | 'admin.snapshot'

/** One line of a tenant's audit trail. Never a header, body, query string, token or password. */
export interface AuditRecord {
  /** ISO time the request arrived. */
  readonly time: string
  /** The host's id for the request, also sent back as `x-request-id`. */
  readonly requestId: string
  readonly tenant: string
  readonly operation: AuditOperation
  readonly method: string
  /** `/graphql`, the REST route without its query string (at most 200 characters), or the admin operation. */
  readonly route: string
  readonly status: number
  readonly durationMs: number
  /** Whether the request carried credentials (application password or media token); never which. */
  readonly authenticated: boolean
}

/** Rotation of each tenant's audit trail. */
export interface AuditRotation {
  /** Size at which `audit.jsonl` is rotated, in bytes. Default 10 MiB. */
  readonly maxBytes: number
  /** Rotated files kept (`audit.1.jsonl` … `audit.N.jsonl`). Default 5. */
  readonly files: number
}

/** Default {@link AuditRotation}. */
export const DEFAULT_AUDIT_ROTATION: AuditRotation = { maxBytes: 10 * 1024 * 1024, files: 5 }

/**
 * A tenant's audit trail: JSON lines in `<dir>/audit.jsonl`, rotated by size into `audit.1.jsonl` (newest) …
 * `audit.N.jsonl`, each tenant in its own directory. Writes never block a request; `close()` flushes.
 */
export class AuditLog {
  readonly #stream: RotatingFileStream
  #closed: Promise<void> | undefined

  constructor(directory: string, rotation: AuditRotation = DEFAULT_AUDIT_ROTATION) {
    mkdirSync(directory, { recursive: true })
    // In classic rotation the stream calls the generator with the rotated file's number alone (null: the live file).
    const name = (count: number | Date | null) =>
      typeof count === 'number' ? `audit.${count}.jsonl` : 'audit.jsonl'
    this.#stream = createStream(name as (time: number | Date) => string, {
      path: directory,
      size: `${Math.max(1, Math.ceil(rotation.maxBytes / 1024))}K`,
      rotate: rotation.files,
      mode: 0o600,
    })
    // A full disk must not take the host down; the lost lines are the price.
    this.#stream.on('error', () => {})
  }

  /** Appends one record. */
  write(record: AuditRecord): void {
    if (this.#closed) return
    this.#stream.write(`${JSON.stringify(record)}\n`)
  }

  /** Flushes and closes the file; idempotent. */
  close(): Promise<void> {
    this.#closed ??= new Promise((resolve) => {
      this.#stream.end(() => resolve())
    })
    return this.#closed
  }
}
