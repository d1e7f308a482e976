import { HostError } from '../host-error.js'
import type { MediaStoreConfig } from '../manifest/tenant-manifest-schema.js'
import { FilesystemObjectStore } from './filesystem-object-store.js'
import type { ObjectStore } from './object-store.js'
import { S3ObjectStore } from './s3-object-store.js'

/**
 * The object store of one tenant from its manifest entry: a directory (default `<data>/<tenant>/media`) or an
 * S3-compatible bucket with the tenant id as key prefix, its credentials read from the named environment variables.
 *
 * @throws {@link HostError} `HOST_MEDIA_CREDENTIALS_MISSING` naming the unset variables (never their values).
 */
export function createObjectStore(
  tenant: string,
  config: MediaStoreConfig,
  defaultDirectory: string,
  env: Readonly<Record<string, string | undefined>>,
): ObjectStore {
  if (config.kind === 'filesystem') {
    return new FilesystemObjectStore({
      directory: config.directory ?? defaultDirectory,
      publicBaseUrl: config.publicBaseUrl,
    })
  }
  const accessKeyId = env[config.accessKeyIdEnv]
  const secretAccessKey = env[config.secretAccessKeyEnv]
  const missing = [
    ...(accessKeyId ? [] : [config.accessKeyIdEnv]),
    ...(secretAccessKey ? [] : [config.secretAccessKeyEnv]),
  ]
  if (missing.length > 0) {
    throw new HostError(
      'HOST_MEDIA_CREDENTIALS_MISSING',
      `Tenant "${tenant}": the S3 credentials are not set; export ${missing.join(' and ')} in the host's environment.`,
      { details: { tenant, missing } },
    )
  }
  return new S3ObjectStore({
    bucket: config.bucket,
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: accessKeyId as string, secretAccessKey: secretAccessKey as string },
    prefix: `${tenant}/`,
    publicBaseUrl: config.publicBaseUrl,
  })
}
