import { join } from 'node:path'
import { verifyBundle } from '@codebox/artifacts'
import type { ArtifactStore } from './artifact-store.js'
import type { StoredBundle } from './job-schemas.js'
import { QueueError } from './queue-error.js'

/** What {@link downloadBundle} returns: the local `.tar.gz` and its verification report. */
export interface DownloadedBundle {
  /** The downloaded `.tar.gz`. */
  readonly path: string
  /** `verifyBundle`'s report: `ok` when every digest, the manifest and the attestation check out. */
  readonly report: Awaited<ReturnType<typeof verifyBundle>>
}

/**
 * Downloads a job's bundle from the store into `directory`, checks its SHA-256 against the result document and
 * verifies it with `verifyBundle` (digests, manifest, attestation).
 *
 * @example
 * const { report } = await downloadBundle(store, result.bundle, '/tmp/review')
 * if (!report.ok) console.error(report.problems)
 *
 * @throws QueueError `ARTIFACT_STORE_READ_FAILED` when the object is missing, unreadable or its SHA-256 differs.
 */
export async function downloadBundle(
  store: ArtifactStore,
  bundle: StoredBundle,
  directory: string,
  options: { readonly signal?: AbortSignal } = {},
): Promise<DownloadedBundle> {
  const path = join(directory, bundle.key.split('/').join('-'))
  const got = await store.get(bundle.key, path, options)
  if (got.sha256 !== bundle.sha256) {
    throw new QueueError(
      'ARTIFACT_STORE_READ_FAILED',
      `The bundle ${bundle.url} has SHA-256 ${got.sha256}, not ${bundle.sha256} as its job result says; it was replaced or damaged in the store.`,
      { details: { url: bundle.url, expected: bundle.sha256, actual: got.sha256 } },
    )
  }
  return { path, report: await verifyBundle(path) }
}
