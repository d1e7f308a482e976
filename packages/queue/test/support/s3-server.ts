import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import S3rver from 's3rver'

/** A local S3-compatible server (s3rver from npm) on a loopback port, with one bucket. */
export interface TestS3Server {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string
  readonly bucket: string
  /** The keys s3rver accepts. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }
  stop(): Promise<void>
}

/** Starts s3rver on a free loopback port with bucket `bucket` in a temporary directory. */
export async function startS3Server(bucket = 'codebox-bundles'): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'codebox-s3-'))
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  })
  const address = await server.run()
  let stopped: Promise<void> | undefined
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    stop() {
      stopped ??= (async () => {
        await server.close()
        await rm(directory, { recursive: true, force: true })
      })()
      return stopped
    },
  }
}
