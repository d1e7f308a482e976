/**
 * One worker thread started ahead of time per kind of thread, so starting a PHP worker does not wait for a new
 * thread to come up and import php-wasm.
 *
 * Measured on a 2-core machine: a new thread is online after ~45 ms and has imported `@php-wasm/universal` and
 * `@php-wasm/node` after ~115–135 ms more (4 runs of a bare `new Worker` importing them), before PHP itself can
 * start. A spare thread has done the first two and holds no PHP, no site and no runtime's options: it waits for the
 * `init` message like any new thread, so taking it changes nothing but when the thread was created. Spares are
 * unref'd (they never keep the process alive) and replaced in the background after each take, once the taker's PHP
 * has booted.
 *
 * @module
 */
import { Worker, type WorkerOptions } from 'node:worker_threads'
import type { PhpWorkerEntry } from './php-worker-entry.js'

/** The options a PHP worker thread is created with (everything but what PHP gets in `init`). */
export interface ThreadOptions {
  readonly entry: PhpWorkerEntry
  readonly resourceLimits: NonNullable<WorkerOptions['resourceLimits']>
}

interface Spare {
  readonly worker: Worker
  /** Set when the thread failed or ended before anyone took it: it is never handed out. */
  dead: boolean
}

const spares = new Map<string, Spare>()
let enabled = true

function keyOf(options: ThreadOptions): string {
  return JSON.stringify([options.entry.url.href, options.entry.execArgv ?? null, options.resourceLimits])
}

function createThread(options: ThreadOptions): Worker {
  return new Worker(options.entry.url, {
    resourceLimits: options.resourceLimits,
    stdout: true,
    stderr: true,
    ...(options.entry.execArgv ? { execArgv: options.entry.execArgv } : {}),
  })
}

/**
 * A thread for a PHP worker: the spare of this kind when one is alive, else a new one. The caller owns it (and
 * refs or unrefs it as it needs).
 */
export function takeThread(options: ThreadOptions): Worker {
  const key = keyOf(options)
  const spare = spares.get(key)
  spares.delete(key)
  if (spare && !spare.dead) {
    spare.worker.removeAllListeners('error')
    spare.worker.removeAllListeners('exit')
    spare.worker.ref()
    return spare.worker
  }
  return createThread(options)
}

/** Starts the spare of this kind in the background, unless one is there or spares are off. */
export function refillSpareThread(options: ThreadOptions): void {
  const key = keyOf(options)
  if (!enabled || spares.has(key)) return
  const worker = createThread(options)
  worker.unref()
  const spare: Spare = { worker, dead: false }
  // Nobody listens to an untaken thread: a failure only retires it (the next start makes its own thread and fails
  // there, with its error reported to its caller).
  const retire = () => {
    spare.dead = true
    if (spares.get(key) === spare) spares.delete(key)
  }
  worker.once('error', retire)
  worker.once('exit', retire)
  spares.set(key, spare)
}

/** Stops every spare thread. With `enabled: false` no new ones start until called again with `true`. */
export async function dropSpareThreads(options: { readonly enabled?: boolean } = {}): Promise<void> {
  if (options.enabled !== undefined) enabled = options.enabled
  const threads = [...spares.values()].map((spare) => spare.worker)
  spares.clear()
  await Promise.all(threads.map((thread) => thread.terminate()))
}

/** Thread ids of the spare threads alive now (for tests and diagnostics). */
export function spareThreadIds(): number[] {
  return [...spares.values()].filter((spare) => !spare.dead).map((spare) => spare.worker.threadId)
}
