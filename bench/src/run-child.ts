import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { cleanupOnExit } from './cleanup-on-exit.js'

/**
 * Runs a bench entry (`script`, a `.ts` file) in a fresh Node process with this one's loader flags and
 * `--expose-gc`, and parses the JSON of its last stdout line. Killed after `timeoutMs`, or when the harness exits.
 */
export function runBenchChild<T>(script: string, args: readonly string[], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const undo = cleanupOnExit(() => child.kill('SIGKILL'))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000)
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      undo()
      const last = stdout.trim().split('\n').pop() ?? ''
      try {
        if (code !== 0) throw new Error(`exited with ${code ?? signal}`)
        resolve(JSON.parse(last) as T)
      } catch (error) {
        reject(new Error(`${script} ${(error as Error).message}: ${stderr.trim().slice(-500)}`))
      }
    })
  })
}

/** RSS after the event loop and V8's garbage collector have settled (needs `--expose-gc` to collect). */
export async function settledRss(): Promise<number> {
  await sleep(1500)
  ;(globalThis as { gc?: () => void }).gc?.()
  await sleep(250)
  return process.memoryUsage.rss()
}
