import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { type ObjectStore, publicUrl, type StoredObject } from './object-store.js'

/** Options of {@link S3ObjectStore}. */
export interface S3ObjectStoreOptions {
  readonly bucket: string
  /** Default `us-east-1`. */
  readonly region?: string
  /** An S3-compatible endpoint, e.g. `http://127.0.0.1:4568`. Default AWS. */
  readonly endpoint?: string | undefined
  /** Path-style addressing. Default false. */
  readonly forcePathStyle?: boolean
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }
  /** The tenant's namespace: every key is stored under it (e.g. `acme/`). */
  readonly prefix: string
  /** Public URL prefix of the bucket; the full key is appended. */
  readonly publicBaseUrl: string
}

/** An object store in an S3-compatible bucket, every key under the tenant's prefix. */
export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client
  readonly #options: S3ObjectStoreOptions

  constructor(options: S3ObjectStoreOptions) {
    this.#options = options
    this.#client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle ?? false,
      credentials: { ...options.credentials },
    })
  }

  async put(
    key: string,
    bytes: Uint8Array,
    contentType: string,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<StoredObject> {
    const fullKey = `${this.#options.prefix}${key}`
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#options.bucket,
        Key: fullKey,
        Body: bytes,
        ContentType: contentType,
      }),
      options.signal ? { abortSignal: options.signal } : {},
    )
    return { key: fullKey, url: publicUrl(this.#options.publicBaseUrl, fullKey) }
  }

  async close(): Promise<void> {
    this.#client.destroy()
  }
}
