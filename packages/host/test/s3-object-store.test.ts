import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { S3ObjectStore } from '../src/index.js'
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from './local-s3.js'

describe('S3ObjectStore against a local S3-compatible server (s3rver)', () => {
  let s3: Awaited<ReturnType<typeof startLocalS3>>
  beforeAll(async () => {
    s3 = await startLocalS3(['media'])
  })
  afterAll(async () => {
    await s3?.close()
  })

  it('stores each tenant’s objects under its own prefix and returns their public URL', async () => {
    const store = new S3ObjectStore({
      bucket: 'media',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: LOCAL_S3_CREDENTIALS,
      prefix: 'acme/',
      publicBaseUrl: 'https://cdn.test/media/',
    })
    const stored = await store.put(
      '2025/01/abc-cat photo.png',
      new Uint8Array([137, 80, 78, 71]),
      'image/png',
    )
    expect(stored).toEqual({
      key: 'acme/2025/01/abc-cat photo.png',
      url: 'https://cdn.test/media/acme/2025/01/abc-cat%20photo.png',
    })
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: LOCAL_S3_CREDENTIALS,
    })
    const object = await client.send(new GetObjectCommand({ Bucket: 'media', Key: stored.key }))
    expect([...(await object.Body!.transformToByteArray())]).toEqual([137, 80, 78, 71])
    expect(object.ContentType).toBe('image/png')
    client.destroy()
    await store.close()
  })
})
