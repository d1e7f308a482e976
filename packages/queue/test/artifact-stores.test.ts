import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ArtifactStore, openArtifactStore, type QueueError, redactUrl } from '../src/index.js'
import { freePort } from './support/redis-server.js'
import { startS3Server, type TestS3Server } from './support/s3-server.js'

let scratch: string
let s3: TestS3Server

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'codebox-stores-'))
  s3 = await startS3Server()
})

afterAll(async () => {
  await s3?.stop()
  await rm(scratch, { recursive: true, force: true })
})

async function file(name: string, bytes: Buffer): Promise<string> {
  const path = join(scratch, name)
  await writeFile(path, bytes)
  return path
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

async function rejection(promise: Promise<unknown>): Promise<QueueError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: QueueError) => error,
  )
}

const stores: [string, () => Promise<ArtifactStore>][] = [
  ['filesystem', async () => openArtifactStore(pathToFileURL(await mkdtemp(join(scratch, 'fs-'))).href)],
  [
    'S3 (s3rver)',
    () =>
      openArtifactStore(`s3://${s3.bucket}/run-${randomBytes(4).toString('hex')}`, {
        s3: { endpoint: s3.endpoint, credentials: s3.credentials },
      }),
  ],
]

describe.each(stores)('the %s artifact store', (_name, open) => {
  it('stores a bundle under its key and gives back the same bytes with their SHA-256', async () => {
    await using store = await open()
    await store.check()
    const bytes = randomBytes(64 * 1024)
    const stored = await store.put(
      'tenant-a/job-1.tar.gz',
      await file(`in-${randomBytes(3).toString('hex')}`, bytes),
    )
    expect(stored).toMatchObject({ key: 'tenant-a/job-1.tar.gz', bytes: bytes.length, sha256: sha256(bytes) })
    expect(stored.url.endsWith('/tenant-a/job-1.tar.gz')).toBe(true)
    const out = join(scratch, `out-${randomBytes(3).toString('hex')}`)
    const got = await store.get('tenant-a/job-1.tar.gz', out)
    expect(got.sha256).toBe(sha256(bytes))
    expect(Buffer.compare(await readFile(out), bytes)).toBe(0)
  })

  it('keeps exactly one object when the same key is written again (a retried job)', async () => {
    await using store = await open()
    const first = randomBytes(1000)
    const second = randomBytes(2000)
    await store.put('job-7.tar.gz', await file(`a-${randomBytes(3).toString('hex')}`, first))
    await store.put('job-7.tar.gz', await file(`b-${randomBytes(3).toString('hex')}`, second))
    expect(await store.list()).toEqual(['job-7.tar.gz'])
    const out = join(scratch, `again-${randomBytes(3).toString('hex')}`)
    expect((await store.get('job-7.tar.gz', out)).sha256).toBe(sha256(second))
  })

  it('lists keys under a prefix, sorted', async () => {
    await using store = await open()
    const path = await file(`l-${randomBytes(3).toString('hex')}`, randomBytes(10))
    for (const key of ['b/2.tar.gz', 'a/1.tar.gz', 'b/1.tar.gz']) await store.put(key, path)
    expect(await store.list()).toEqual(['a/1.tar.gz', 'b/1.tar.gz', 'b/2.tar.gz'])
    expect(await store.list('b/')).toEqual(['b/1.tar.gz', 'b/2.tar.gz'])
  })

  it('leaves nothing under the key when a write is aborted', async () => {
    await using store = await open()
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    const path = await file(`ab-${randomBytes(3).toString('hex')}`, randomBytes(1000))
    const error = await rejection(store.put('aborted.tar.gz', path, { signal: controller.signal }))
    expect(error.code).toBe('ARTIFACT_STORE_WRITE_FAILED')
    expect(await store.list()).toEqual([])
  })

  it('fails a read of a missing key with ARTIFACT_STORE_READ_FAILED', async () => {
    await using store = await open()
    const error = await rejection(store.get('missing.tar.gz', join(scratch, 'missing')))
    expect(error.code).toBe('ARTIFACT_STORE_READ_FAILED')
  })
})

describe('the S3 artifact store', () => {
  it('uploads a bundle larger than a part as a multipart upload and reads it back whole', async () => {
    await using store = await openArtifactStore(`s3://${s3.bucket}/multipart`, {
      s3: { endpoint: s3.endpoint, credentials: s3.credentials, partSizeBytes: 5 * 1024 * 1024 },
    })
    const bytes = randomBytes(11 * 1024 * 1024 + 17)
    const stored = await store.put('big.tar.gz', await file('big', bytes))
    expect(stored.sha256).toBe(sha256(bytes))
    const out = join(scratch, 'big-out')
    expect((await store.get('big.tar.gz', out)).sha256).toBe(sha256(bytes))
  })

  it('aborts a multipart upload stopped half way: the key stays absent', async () => {
    await using store = await openArtifactStore(`s3://${s3.bucket}/half`, {
      s3: {
        endpoint: s3.endpoint,
        credentials: s3.credentials,
        partSizeBytes: 5 * 1024 * 1024,
        queueSize: 1,
      },
    })
    const controller = new AbortController()
    const path = await file('half', randomBytes(16 * 1024 * 1024))
    const sent: number[] = []
    // Stop once the first part is in: the upload is then half done whatever the machine's speed.
    const upload = store.put('half.tar.gz', path, {
      signal: controller.signal,
      onProgress: (bytes) => {
        sent.push(bytes)
        controller.abort(new Error('stop'))
      },
    })
    const error = await rejection(upload)
    expect(sent[0]).toBeGreaterThan(0)
    expect(sent[0]).toBeLessThan(16 * 1024 * 1024)
    expect(error.code).toBe('ARTIFACT_STORE_WRITE_FAILED')
    expect(await store.list()).toEqual([])
  })

  it('reports an unreachable endpoint as ARTIFACT_STORE_UNREACHABLE naming it without its credentials', async () => {
    const port = await freePort()
    await using store = await openArtifactStore(`s3://${s3.bucket}/x`, {
      s3: { endpoint: `http://admin:hunter2@127.0.0.1:${port}`, credentials: s3.credentials },
    })
    const error = await rejection(store.check({ timeoutMs: 5_000 }))
    expect(error.code).toBe('ARTIFACT_STORE_UNREACHABLE')
    expect(error.message).toContain(`127.0.0.1:${port}`)
    expect(error.message).toContain('--s3-endpoint')
    expect(error.message).not.toContain('hunter2')
    expect(JSON.stringify(error)).not.toContain('hunter2')
  })

  it('reports a missing bucket as ARTIFACT_STORE_UNREACHABLE naming the bucket', async () => {
    await using store = await openArtifactStore('s3://no-such-bucket/x', {
      s3: { endpoint: s3.endpoint, credentials: s3.credentials },
    })
    const error = await rejection(store.check())
    expect(error.code).toBe('ARTIFACT_STORE_UNREACHABLE')
    expect(error.message).toContain('"no-such-bucket"')
  })
})

describe('opening an artifact store', () => {
  it('refuses a URL that is neither file:// nor s3:// with ARTIFACT_STORE_URL_INVALID', async () => {
    for (const url of ['./bundles', 'https://example.com/bundles', 's3://X/y']) {
      const error = await rejection(openArtifactStore(url))
      expect(error.code).toBe('ARTIFACT_STORE_URL_INVALID')
    }
  })

  it('reports a directory that cannot be created as ARTIFACT_STORE_UNREACHABLE', async () => {
    const blocker = await file('not-a-dir', Buffer.from('x'))
    const store = await openArtifactStore(pathToFileURL(join(blocker, 'bundles')).href)
    const error = await rejection(store.check())
    expect(error.code).toBe('ARTIFACT_STORE_UNREACHABLE')
    expect(error.message).toContain('not-a-dir/bundles')
  })

  it('never lets a key leave a filesystem store', async () => {
    const store = await openArtifactStore(pathToFileURL(await mkdtemp(join(scratch, 'esc-'))).href)
    const path = await file('esc', Buffer.from('x'))
    expect((await rejection(store.put('../outside.tar.gz', path))).code).toBe('ARTIFACT_STORE_WRITE_FAILED')
  })
})

describe('redactUrl', () => {
  it('replaces user names, passwords and credential query values with ***', () => {
    expect(redactUrl('redis://default:s3cret@cache.internal:6379/0')).toBe(
      'redis://***:***@cache.internal:6379/0',
    )
    expect(redactUrl('redis://:s3cret@cache.internal:6379')).toBe('redis://:***@cache.internal:6379')
    expect(redactUrl('http://host/?X-Amz-Signature=abc&region=eu')).toBe(
      'http://host/?X-Amz-Signature=***&region=eu',
    )
    expect(redactUrl('not a url with user:pass@host')).toBe('(unparseable URL)')
  })
})
