import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { cleanupOnExit } from './cleanup-on-exit.js'

/** A running `php -S 127.0.0.1:<port>`; `stop()` kills it (also at exit if the run stops first). */
export interface PhpServer extends AsyncDisposable {
  readonly origin: string
  stop(): Promise<void>
}

/** Options of {@link startPhpServer}. */
export interface StartPhpServerOptions {
  readonly documentRoot: string
  readonly port: number
  /** `-d` php.ini settings. */
  readonly ini: Readonly<Record<string, string>>
  /** Path that must answer (any status below 500) before the server counts as up. Default `/`. */
  readonly readyPath?: string
  /** Longest wait for the server to come up. Default 15000 ms. */
  readonly readyTimeoutMs?: number
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
  await exited
  clearTimeout(timer)
}

/** Starts PHP's built-in server on loopback only and waits (bounded) until it answers. */
export async function startPhpServer(options: StartPhpServerOptions): Promise<PhpServer> {
  const iniArgs = Object.entries(options.ini).flatMap(([name, value]) => ['-d', `${name}=${value}`])
  const child = spawn('php', [...iniArgs, '-S', `127.0.0.1:${options.port}`, '-t', options.documentRoot], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const undo = cleanupOnExit(() => child.kill('SIGKILL'))
  let log = ''
  // The server logs every request to stderr: keep draining it, keep only the tail for errors.
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-2000)
  })
  const origin = `http://127.0.0.1:${options.port}`
  const stop = async () => {
    await stopChild(child)
    undo()
  }
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000)
  while (true) {
    if (child.exitCode !== null) {
      undo()
      throw new Error(`php -S exited with ${child.exitCode}: ${log.trim().slice(-500)}`)
    }
    try {
      const response = await fetch(`${origin}${options.readyPath ?? '/'}`, {
        redirect: 'manual',
        signal: AbortSignal.timeout(5000),
      })
      await response.arrayBuffer()
      if (response.status < 500) break
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(
        `php -S did not answer on ${origin} within ${options.readyTimeoutMs ?? 15_000} ms: ${log.trim().slice(-500)}`,
      )
    }
    await sleep(100)
  }
  return { origin, stop, [Symbol.asyncDispose]: stop }
}
