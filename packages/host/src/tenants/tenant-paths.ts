import path from 'node:path'

/** Where one tenant's state lives under the host's data directory. */
export interface TenantPaths {
  /** `<data>/<tenant>`: everything of this tenant, and nothing of another. */
  readonly root: string
  /** The durable SQLite database directory (mounted read-write into the runtime). */
  readonly database: string
  /** Default media store of the tenant (the filesystem object store). */
  readonly media: string
  /** The tenant's audit trail (`audit.jsonl` and its rotated files). */
  readonly audit: string
  /** Automatic snapshots taken before destructive admin operations. */
  readonly snapshots: string
}

/** The paths of tenant `id` under `dataDir` (an absolute directory). */
export function tenantPaths(dataDir: string, id: string): TenantPaths {
  const root = path.join(dataDir, id)
  return {
    root,
    database: path.join(root, 'database'),
    media: path.join(root, 'media'),
    audit: path.join(root, 'audit'),
    snapshots: path.join(root, 'snapshots'),
  }
}
