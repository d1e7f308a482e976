import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import type { ArtifactStore, StoreCallOptions, StoredObject } from './artifact-store.js'
import { hashFile } from './file-hash.js'
import { QueueError } from './queue-error.js'
import { redactUrl } from './redact-url.js'

/** Options of an S3-compatible {@link ArtifactStore}. Credentials never appear in URLs, messages or results. */
export interface S3ArtifactStoreOptions {
  /**
   * Endpoint of an S3-compatible service (MinIO, R2, Ceph, a local test server). Default: the AWS SDK's
   * (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, else AWS S3 itself).
   */
  readonly endpoint?: string
  /** Region. Default `AWS_REGION`, else `us-east-1`. */
  readonly region?: string
  /** Address buckets as `endpoint/bucket` instead of `bucket.endpoint`. Default true when `endpoint` is given. */
  readonly forcePathStyle?: boolean
  /** Access keys. Default: the AWS SDK's chain (environment, shared config, instance or pod role). */
  readonly credentials?: S3ClientConfig['credentials']
  /** Part size of multipart uploads in bytes (min 5 MiB); smaller bundles go in one PUT. Default 8 MiB. */
  readonly partSizeBytes?: number
  /** Parts uploaded in parallel. Default 4. */
  readonly queueSize?: number
}

const MIB = 1024 * 1024

function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url)
  if (!match?.[1]) {
    throw new QueueError(
      'ARTIFACT_STORE_URL_INVALID',
      `The artifact store URL ${redactUrl(url)} is not s3://bucket[/prefix] with a valid bucket name (3-63 lower-case letters, digits, "." or "-").`,
    )
  }
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '')
  return { bucket: match[1], prefix: prefix === '' ? '' : `${prefix}/` }
}

function reasonOf(error: unknown): string {
  const named = error as {
    name?: string
    code?: string
    message?: string
    $metadata?: { httpStatusCode?: number }
  }
  const status = named.$metadata?.httpStatusCode
  return [named.code ?? named.name, status ? `HTTP ${status}` : undefined, named.message]
    .filter((part) => part !== undefined && part !== '' && part !== 'UnknownError')
    .join(': ')
}

/**
 * An {@link ArtifactStore} in an S3-compatible bucket (`s3://bucket/prefix`). Bundles up to `partSizeBytes` go in
 * one PUT, larger ones as a multipart upload that is completed only when every part is in (an abort or failure
 * aborts the upload), so an object is either whole or absent.
 *
 * @example
 * const store = createS3ArtifactStore('s3://ci-bundles/codebox', { endpoint: 'http://127.0.0.1:9000' })
 */
export function createS3ArtifactStore(url: string, options: S3ArtifactStoreOptions = {}): ArtifactStore {
  const { bucket, prefix } = parseS3Url(url)
  const display = `s3://${bucket}/${prefix}`.replace(/\/$/, '')
  const endpoint = options.endpoint
  const where = endpoint ? `${display} at ${redactUrl(endpoint)}` : display
  const client = new S3Client({
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: options.forcePathStyle ?? true } : {}),
    ...(options.forcePathStyle !== undefined && !endpoint ? { forcePathStyle: options.forcePathStyle } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  })
  const partSize = Math.max(5 * MIB, options.partSizeBytes ?? 8 * MIB)
  let closed = false

  const store: ArtifactStore = {
    url: display,
    async check(call = {}) {
      const signal = AbortSignal.any([
        AbortSignal.timeout(call.timeoutMs ?? 10_000),
        ...(call.signal ? [call.signal] : []),
      ])
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal })
      } catch (error) {
        throw new QueueError(
          'ARTIFACT_STORE_UNREACHABLE',
          `Cannot reach the artifact store ${where} (${signal.aborted ? 'no answer in time' : reasonOf(error)}); check the endpoint (--s3-endpoint or AWS_ENDPOINT_URL_S3), that bucket "${bucket}" exists, and the credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile or the instance role).`,
          { cause: error, details: { url: display } },
        )
      }
    },
    async put(key: string, path: string, call: StoreCallOptions = {}): Promise<StoredObject> {
      try {
        const { sha256, bytes } = await hashFile(path, call.signal)
        const upload = new Upload({
          client,
          params: {
            Bucket: bucket,
            Key: `${prefix}${key}`,
            Body: createReadStream(path),
            ContentType: 'application/gzip',
            Metadata: { sha256 },
          },
          partSize,
          queueSize: options.queueSize ?? 4,
          // An incomplete multipart upload is aborted, never left to be completed later.
          leavePartsOnError: false,
        })
        upload.on('httpUploadProgress', (progress) => call.onProgress?.(progress.loaded ?? 0))
        const abort = () => void upload.abort()
        call.signal?.addEventListener('abort', abort, { once: true })
        try {
          call.signal?.throwIfAborted()
          await upload.done()
        } finally {
          call.signal?.removeEventListener('abort', abort)
        }
        return { key, url: `s3://${bucket}/${prefix}${key}`, bytes, sha256 }
      } catch (error) {
        throw new QueueError(
          'ARTIFACT_STORE_WRITE_FAILED',
          `Uploading ${key} to ${where} failed (${call.signal?.aborted ? 'aborted' : reasonOf(error)}); nothing was left under that key.`,
          { cause: error, details: { url: display, key } },
        )
      }
    },
    async get(key: string, path: string, call: StoreCallOptions = {}): Promise<StoredObject> {
      const partial = `${path}.partial-${randomBytes(6).toString('hex')}`
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${key}` }), {
          ...(call.signal ? { abortSignal: call.signal } : {}),
        })
        await mkdir(dirname(path), { recursive: true })
        await pipeline(answer.Body as Readable, createWriteStream(partial))
        const { sha256, bytes } = await hashFile(partial, call.signal)
        await rename(partial, path)
        return { key, url: `s3://${bucket}/${prefix}${key}`, bytes, sha256 }
      } catch (error) {
        await rm(partial, { force: true })
        throw new QueueError(
          'ARTIFACT_STORE_READ_FAILED',
          `Downloading ${key} from ${where} failed (${reasonOf(error)}).`,
          { cause: error, details: { url: display, key } },
        )
      }
    },
    async list(under = '', call: StoreCallOptions = {}) {
      const keys: string[] = []
      let token: string | undefined
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: `${prefix}${under}`,
            ...(token ? { ContinuationToken: token } : {}),
          }),
          { ...(call.signal ? { abortSignal: call.signal } : {}) },
        )
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(prefix.length))
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
      return keys.sort()
    },
    async close() {
      if (closed) return
      closed = true
      client.destroy()
    },
    async [Symbol.asyncDispose]() {
      await store.close()
    },
  }
  return store
}
