import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { CreateRecipeWorkerOptions } from '../../src/index.js'

const FIXTURE = fileURLToPath(new URL('../fixtures/worker-process.ts', import.meta.url))
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url))

/** A worker running in a child process (real signals, real kill -9). */
export interface WorkerProcess {
  readonly child: ChildProcess
  /** Every JSON line printed so far. */
  readonly lines: readonly Record<string, unknown>[]
  /** Resolves with the first printed line that `match` accepts (already printed or to come). */
  waitFor(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
  /** Resolves with the exit code and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * Starts `test/fixtures/worker-process.ts` with Node itself (not the tsx CLI, which would turn a signal into an exit
 * code) and waits until the worker is connected and taking jobs.
 */
export async function startWorkerProcess(
  options: Omit<CreateRecipeWorkerOptions, 'onEvent' | 'logger' | 'secretProvider'>,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', FIXTURE], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, CODEBOX_TEST_WORKER: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines: Record<string, unknown>[] = []
  const waiters = new Set<{
    match: (line: Record<string, unknown>) => boolean
    resolve: (line: Record<string, unknown>) => void
  }>()
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>
    try {
      line = JSON.parse(text) as Record<string, unknown>
    } catch {
      return
    }
    lines.push(line)
    for (const waiter of waiters) {
      if (waiter.match(line)) {
        waiters.delete(waiter)
        waiter.resolve(line)
      }
    }
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const waitFor = (match: (line: Record<string, unknown>) => boolean) => {
    const seen = lines.find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      waiters.add({ match, resolve })
      void exited.then(({ code, signal }) =>
        reject(new Error(`the worker process exited (${code ?? signal}) before printing the awaited line`)),
      )
    })
  }
  await waitFor((line) => line.type === 'ready')
  return { child, lines, waitFor, exited }
}
