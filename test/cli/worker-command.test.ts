import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CliResultDocument, EXIT_CODES, runCli } from '@codebox/cli'
import { createRecipeQueue } from '@codebox/queue'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { smallRecipe } from '../../packages/queue/test/support/recipes.js'
import {
  freePort,
  startRedisServer,
  type TestRedisServer,
} from '../../packages/queue/test/support/redis-server.js'
import { CODEBOX_BIN } from '../recipes/example-recipes.js'

// `codebox worker` against a real redis-server: its usage errors in this process, and one real worker process that
// runs a job from the queue and drains on SIGTERM.
let redis: TestRedisServer
let work: string

beforeAll(async () => {
  redis = await startRedisServer()
  work = await mkdtemp(join(tmpdir(), 'codebox-cli-worker-'))
})

afterAll(async () => {
  await redis?.stop()
  await rm(work, { recursive: true, force: true })
})

async function inProcess(argv: readonly string[]): Promise<{ code: number; document: CliResultDocument }> {
  let stdout = ''
  const sink = (append: (text: string) => void) =>
    ({
      write: (chunk: string | Uint8Array) => {
        append(String(chunk))
        return true
      },
    }) as unknown as NodeJS.WritableStream
  const code = await runCli(argv, {
    stdout: sink((text) => {
      stdout += text
    }),
    stderr: sink(() => {}),
  })
  return { code, document: JSON.parse(stdout.trim()) as CliResultDocument }
}

describe('codebox worker', () => {
  it('exits 3 with QUEUE_REDIS_UNREACHABLE naming the URL without its password when Redis is down', async () => {
    const port = await freePort()
    const { code, document } = await inProcess([
      'worker',
      '--redis',
      `redis://:hunter2@127.0.0.1:${port}`,
      '--artifacts',
      join(work, 'unused'),
      '--json',
    ])
    expect(code).toBe(EXIT_CODES.UNAVAILABLE)
    expect(document.error?.code).toBe('QUEUE_REDIS_UNREACHABLE')
    expect(document.error?.message).toContain(`redis://:***@127.0.0.1:${port}`)
    expect(JSON.stringify(document)).not.toContain('hunter2')
  })

  it('exits 2 for a missing Redis URL or an artifact store URL it cannot use', async () => {
    const saved = process.env.CODEBOX_REDIS_URL
    delete process.env.CODEBOX_REDIS_URL
    try {
      const missing = await inProcess(['worker', '--artifacts', join(work, 'x'), '--json'])
      expect(missing.code).toBe(EXIT_CODES.USAGE)
      expect(missing.document.error?.code).toBe('CLI_USAGE')
    } finally {
      if (saved !== undefined) process.env.CODEBOX_REDIS_URL = saved
    }
    const badStore = await inProcess([
      'worker',
      '--redis',
      redis.url,
      '--artifacts',
      'ftp://host/x',
      '--json',
    ])
    expect(badStore.code).toBe(EXIT_CODES.USAGE)
    expect(badStore.document.error?.code).toBe('ARTIFACT_STORE_URL_INVALID')
    const badPool = await inProcess([
      'worker',
      '--redis',
      redis.url,
      '--artifacts',
      join(work, 'x'),
      '--pool',
      'lots',
      '--json',
    ])
    expect(badPool.code).toBe(EXIT_CODES.USAGE)
    expect(badPool.document.error?.message).toContain("--pool must be 'auto' or a whole number from 0 to 16")
  })

  it('runs a job from the queue into its bundle directory, then drains on SIGTERM and exits 0', async () => {
    const bundles = join(work, 'bundles')
    const child = spawn(
      process.execPath,
      [
        CODEBOX_BIN,
        'worker',
        '--redis',
        redis.url,
        '--queue',
        'cli-worker',
        '--artifacts',
        bundles,
        '--pool',
        '0',
        '--json',
      ],
      { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    const killer = setTimeout(() => child.kill('SIGKILL'), 240_000)
    try {
      await new Promise<void>((resolve, reject) => {
        const check = () => (stdout.includes('\n') ? resolve() : undefined)
        child.stdout.on('data', check)
        void exited.then(() => reject(new Error(`the worker exited before it was ready:\n${stderr}`)))
      })
      const ready = JSON.parse(stdout.trim()) as CliResultDocument
      expect(ready).toMatchObject({
        command: 'worker',
        ok: true,
        result: { queue: 'cli-worker', concurrency: 1 },
      })

      await using queue = await createRecipeQueue({ connection: redis.url, name: 'cli-worker' })
      const { jobId } = await queue.enqueue(smallRecipe(), { jobId: 'from-cli' })
      const finished = await queue.waitForResult(jobId)
      expect(finished).toMatchObject({ state: 'completed', result: { status: 'ok', exitCode: 0 } })
      expect(await readdir(bundles)).toEqual(['from-cli.tar.gz'])

      child.kill('SIGTERM')
      expect(await exited).toBe(EXIT_CODES.OK)
      expect(stderr).toContain('job from-cli ok (exit 0)')
      expect(stderr).toContain('draining')
      expect(stdout.trim().split('\n')).toHaveLength(1)
    } finally {
      clearTimeout(killer)
      child.kill('SIGKILL')
    }
  }, 300_000)
})
