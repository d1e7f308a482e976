import type { ArtifactStore } from './artifact-store.js'
import { createFilesystemArtifactStore } from './filesystem-artifact-store.js'
import { QueueError } from './queue-error.js'
import { redactUrl } from './redact-url.js'
import type { S3ArtifactStoreOptions } from './s3-artifact-store.js'

/** Options of {@link openArtifactStore}. */
export interface OpenArtifactStoreOptions {
  /** Used for `s3://` URLs: endpoint, region, credentials, part size. */
  readonly s3?: S3ArtifactStoreOptions
}

/**
 * Opens the artifact store a URL names: `file:///absolute/dir` (a local or mounted directory) or
 * `s3://bucket/prefix` (S3 or any S3-compatible service; the AWS SDK is loaded only for these).
 *
 * @example
 * const store = await openArtifactStore('s3://ci-bundles/codebox', { s3: { endpoint: 'http://127.0.0.1:9000' } })
 *
 * @throws QueueError `ARTIFACT_STORE_URL_INVALID` for any other scheme or a malformed URL.
 */
export async function openArtifactStore(
  url: string,
  options: OpenArtifactStoreOptions = {},
): Promise<ArtifactStore> {
  if (url.startsWith('file:')) return createFilesystemArtifactStore(url)
  if (url.startsWith('s3:')) {
    const { createS3ArtifactStore } = await import('./s3-artifact-store.js')
    return createS3ArtifactStore(url, options.s3)
  }
  throw new QueueError(
    'ARTIFACT_STORE_URL_INVALID',
    `The artifact store URL ${redactUrl(url)} has an unsupported scheme; use file:///absolute/dir or s3://bucket/prefix.`,
  )
}
