import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A real `redis-server` started for a test file on a free loopback port, in its own temporary directory. */
export interface TestRedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** Stops the server (SIGTERM, then waits for it) and removes its directory. Idempotent. */
  stop(): Promise<void>
}

/** A loopback port nothing listens on right now (the kernel's pick). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData)
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'redis-server is not installed: install the Debian package redis-server (apt-get install -y redis-server); .ci/run installs it',
            )
          : error,
      ),
    )
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)),
    )
  })
}

/**
 * Starts `redis-server --port N --bind 127.0.0.1 --save '' --appendonly no --dir <tmp>` and resolves once it accepts
 * connections. Fails (never skips) when redis-server is missing: these tests must prove real Redis behaviour.
 */
export async function startRedisServer(): Promise<TestRedisServer> {
  let lastError: unknown
  // A port picked free can be taken before redis binds it; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const dir = await mkdtemp(join(tmpdir(), 'codebox-redis-'))
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    try {
      await waitForReady(child)
    } catch (error) {
      lastError = error
      child.kill('SIGKILL')
      await rm(dir, { recursive: true, force: true })
      if ((error as Error).message.includes('not installed')) throw error
      continue
    }
    let stopped: Promise<void> | undefined
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop() {
        stopped ??= (async () => {
          if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once('exit', resolve))
            child.kill('SIGTERM')
            await exited
          }
          await rm(dir, { recursive: true, force: true })
        })()
        return stopped
      },
    }
  }
  throw lastError
}
