import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { CreateRecipeWorkerOptions, RecipeQueue } from '@codebox/queue'
import { cleanupOnExit } from '../cleanup-on-exit.js'

const CHILD = fileURLToPath(new URL('./queue-worker-child.ts', import.meta.url))

/** The small recipe the queue figures run: WordPress 6.5, one PHP probe, one workflow step; nothing beyond npm. */
export function benchRecipe(label: string): Record<string, unknown> {
  return {
    schema: 'wp-codebox/workspace-recipe/v1',
    label,
    runtime: { backend: 'playground', wp: '6.5' },
    inputs: {
      pluginRuntime: {
        healthProbes: [{ name: 'php-answers', type: 'php', code: "echo 'alive';", stdoutContains: 'alive' }],
      },
    },
    workflow: {
      steps: [
        {
          name: 'site-name',
          command: 'wordpress.run-php',
          args: { code: "<?php echo get_bloginfo('name');" },
        },
      ],
    },
  }
}

/** `file://` URL of a bundle directory. */
export const fileStore = (dir: string) => pathToFileURL(dir).href

/** Enqueues `count` jobs at once and resolves with the seconds until all of them completed `ok`. */
export async function drain(queue: RecipeQueue, prefix: string, count: number): Promise<number> {
  const started = performance.now()
  const ids = await Promise.all(
    Array.from(
      { length: count },
      async (_, index) => (await queue.enqueue(benchRecipe(prefix), { jobId: `${prefix}-${index}` })).jobId,
    ),
  )
  const finished = await Promise.all(ids.map((jobId) => queue.waitForResult(jobId)))
  const seconds = (performance.now() - started) / 1000
  const bad = finished.filter((job) => job.state !== 'completed' || job.result.status !== 'ok')
  if (bad.length > 0)
    throw new Error(`${bad.length} of ${count} bench jobs did not complete ok: ${JSON.stringify(bad[0])}`)
  return seconds
}

/** A recipe worker in a child process; `stop()` drains it. */
export async function startWorkerChild(
  options: CreateRecipeWorkerOptions,
): Promise<{ stop(): Promise<void>; cpuSeconds(): Promise<number> }> {
  const child = spawn(process.execPath, [...process.execArgv, CHILD, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const undo = cleanupOnExit(() => child.kill('SIGKILL'))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve()
    })
    void exited.then(() => reject(new Error('a bench worker process exited before it was ready')))
  })
  return {
    cpuSeconds: () => processCpuSeconds(child.pid),
    async stop() {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
      await exited
      clearTimeout(timer)
      undo()
    },
  }
}

/**
 * CPU time (user + system, all threads) a process has used so far, from Linux's `/proc/<pid>/stat` (utime and stime
 * in clock ticks, 100 per second on Linux); NaN where there is no `/proc`.
 */
async function processCpuSeconds(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')
  if (!fields) return Number.NaN
  return (Number(fields[11]) + Number(fields[12])) / 100
}
