import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { PlaygroundOptions } from '@codebox/backend-playground'
import type { BenchContext } from './bench-context.js'
import { cleanupOnExit } from './cleanup-on-exit.js'

const CHILD = fileURLToPath(new URL('./rss-child.ts', import.meta.url))
const CHILD_TIMEOUT_MS = 300_000

interface RssChildReport {
  readonly beforeBytes: number
  readonly afterBytes: number
  readonly runtimes: number
}

/** Runs `rss-child.ts` in a fresh Node process (same loader flags as this one) and returns its report. */
function runChild(runtimes: number, options: PlaygroundOptions): Promise<RssChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, '--expose-gc', CHILD, String(runtimes), JSON.stringify(options)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const undo = cleanupOnExit(() => child.kill('SIGKILL'))
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS)
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
        resolve(JSON.parse(last) as RssChildReport)
      } catch (error) {
        reject(new Error(`RSS child ${(error as Error).message}: ${stderr.trim().slice(-500)}`))
      }
    })
  })
}

/** RSS per additional idle runtime, (RSS after − RSS before) / K, measured in a separate process; also with OPcache. */
export async function measureRss({ config, results, plugins }: BenchContext): Promise<void> {
  for (const opcache of [false, true]) {
    const report = await runChild(config.rssRuntimes, { plugins: [...plugins], opcache })
    const perRuntime = (report.afterBytes - report.beforeBytes) / report.runtimes / 1e6
    results.value(
      opcache ? 'rss-per-runtime-opcache' : 'rss-per-runtime',
      `RSS per additional idle runtime${opcache ? ', OPcache' : ''}`,
      perRuntime,
      'MB',
      {
        detail: `K=${report.runtimes}: ${(report.beforeBytes / 1e6).toFixed(0)} → ${(report.afterBytes / 1e6).toFixed(0)} MB RSS in a child process`,
      },
    )
  }
}
