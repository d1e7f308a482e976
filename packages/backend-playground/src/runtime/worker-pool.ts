import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DATABASE_PATH, DOCUMENT_ROOT } from '../commands/php-snippets.js'
import { PhpWorker } from '../worker/php-worker-client.js'
import type { PhpWorkerCallOptions, PhpWorkerOptions } from '../worker/php-worker-options.js'

/** A worker booted ahead of time, with the console lines it printed while booting. */
interface PooledWorker {
  readonly worker: PhpWorker
  readonly bootLines: string[]
  /** The taker's options: its log, event and exit callbacks receive everything from the moment of the take. */
  target: PhpWorkerOptions | undefined
}

interface PoolEntry {
  readonly options: PhpWorkerOptions
  size: number
  readonly ready: PooledWorker[]
  starting: number
  /** A refill failed; refilling stops until the next take. */
  failed: boolean
}

/** A worker handed out by {@link takePooledWorker}. */
export interface TakenWorker {
  readonly worker: PhpWorker
  /** Whether it came from the pool (booted ahead of time) rather than being started for this call. */
  readonly pooled: boolean
}

const entries = new Map<string, PoolEntry>()
let generation = 0
let exitHookInstalled = false

/** Key of a worker configuration: everything sent to the worker at boot (hashed: constants may hold secrets). */
function poolKey(options: PhpWorkerOptions): string {
  const { logger: _logger, onLog: _onLog, onEvent: _onEvent, onExit: _onExit, ...rest } = options
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex')
}

function installExitHook(): void {
  if (exitHookInstalled || typeof process?.on !== 'function') return
  exitHookInstalled = true
  // Worker threads end with the process anyway; terminating them first stops PHP work at once.
  process.on('exit', () => {
    for (const entry of entries.values()) for (const pooled of entry.ready) void pooled.worker.terminate()
    entries.clear()
  })
}

/**
 * Serves a few requests in a pooled worker before it is handed out, so the first request of the runtime that takes
 * it does not pay the new thread's one-time costs (its JavaScript glue still cold, PHP's filesystem nodes not yet
 * created): measured, a new worker's first WordPress load took several times longer than its second. The requests
 * may write to the site, so the database is put back from the template afterwards; a worker whose warm-up fails is
 * not pooled.
 */
const templateDatabases = new Map<string, Promise<Uint8Array | undefined>>()

/** A template's database bytes, read once per process (templates are immutable once published). */
function templateDatabase(siteDir: string): Promise<Uint8Array | undefined> {
  let bytes = templateDatabases.get(siteDir)
  if (!bytes) {
    const file = join(siteDir, ...DATABASE_PATH.split('/'))
    bytes = existsSync(file)
      ? readFile(file).then((data) => new Uint8Array(data))
      : Promise.resolve(undefined)
    templateDatabases.set(siteDir, bytes)
    bytes.catch(() => templateDatabases.delete(siteDir))
  }
  return bytes
}

async function warmUp(worker: PhpWorker, options: PhpWorkerOptions): Promise<void> {
  const siteDir = options.wordpress?.siteDir
  if (!siteDir) return
  for (const url of ['/wp-json/', '/graphql?query=%7B__typename%7D']) {
    await worker.request({ url }, { timeoutMs: 60_000 })
  }
  const database = await templateDatabase(siteDir)
  if (database) await worker.writeFile(`${DOCUMENT_ROOT}/${DATABASE_PATH}`, database)
}

function refill(key: string, entry: PoolEntry): void {
  if (entry.failed || entry.ready.length + entry.starting >= entry.size) return
  const started = generation
  entry.starting++
  const pooled: PooledWorker = { bootLines: [], target: undefined, worker: undefined as unknown as PhpWorker }
  // One start at a time per template: booting PHP is CPU-bound and competes with the runtimes in use.
  // The callbacks are routed to whoever takes the worker (never to the runtime whose options made the entry).
  void PhpWorker.start({
    ...entry.options,
    unref: true,
    logger: {
      debug: (line) => (pooled.target ? pooled.target.logger?.debug(line) : pooled.bootLines.push(line)),
    },
    onLog: (logEntry) => pooled.target?.onLog?.(logEntry),
    onEvent: (event) => pooled.target?.onEvent?.(event),
    onExit: (exit) => pooled.target?.onExit?.(exit),
  })
    .then(async (worker) => {
      await warmUp(worker, entry.options).catch(async (error: unknown) => {
        await worker.terminate()
        throw error
      })
      return worker
    })
    .then(
      (worker) => {
        entry.starting--
        if (started !== generation || entries.get(key) !== entry) {
          void worker.terminate()
          return
        }
        ;(pooled as { worker: PhpWorker }).worker = worker
        entry.ready.push(pooled)
        void worker.exited.then(() => {
          const index = entry.ready.indexOf(pooled)
          if (index >= 0) entry.ready.splice(index, 1)
        })
        refill(key, entry)
      },
      () => {
        entry.starting--
        entry.failed = true
      },
    )
}

/**
 * Takes a freshly booted worker for `options` from the pool (keeping `size` ready per configuration and
 * refilling in the background), or starts one now when none is ready. A worker is handed out once and never
 * returns to the pool.
 */
export async function takePooledWorker(
  options: PhpWorkerOptions,
  size: number,
  callOptions: PhpWorkerCallOptions,
): Promise<TakenWorker> {
  installExitHook()
  const key = poolKey(options)
  let entry = entries.get(key)
  if (!entry) {
    entry = { options, size, ready: [], starting: 0, failed: false }
    entries.set(key, entry)
  }
  entry.size = Math.max(entry.size, size)
  entry.failed = false
  let pooled = entry.ready.shift()
  while (pooled?.worker.isExited) pooled = entry.ready.shift()
  if (pooled) {
    pooled.worker.ref()
    pooled.target = options
    for (const line of pooled.bootLines) options.logger?.debug(line)
    refill(key, entry)
    return { worker: pooled.worker, pooled: true }
  }
  const worker = await PhpWorker.start(options, callOptions)
  refill(key, entry)
  return { worker, pooled: false }
}

/**
 * The process-wide pool of pre-started PHP workers used by `playground({ pool: { size } })`.
 * Pooled workers never keep the process alive and are stopped at exit; call `drain()` to stop them sooner
 * (e.g. in a test suite's teardown).
 */
export const playgroundPool = {
  /** Stops every idle pooled worker and forgets all configurations; later creates start refilling again. */
  async drain(): Promise<void> {
    generation++
    const workers = [...entries.values()].flatMap((entry) => entry.ready.map((pooled) => pooled.worker))
    entries.clear()
    await Promise.all(workers.map((worker) => worker.terminate()))
  },
  /** Idle pooled workers per configuration (keys are hashes), for diagnostics and tests. */
  stats(): { readonly configurations: number; readonly ready: number; readonly starting: number } {
    let ready = 0
    let starting = 0
    for (const entry of entries.values()) {
      ready += entry.ready.length
      starting += entry.starting
    }
    return { configurations: entries.size, ready, starting }
  },
  /** Resolves once every configuration has its pool full (or refilling stopped), for benchmarks and tests. */
  async whenFull(options: { timeoutMs?: number } = {}): Promise<boolean> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000)
    while (Date.now() < deadline) {
      const full = [...entries.values()].every(
        (entry) => entry.failed || (entry.ready.length >= entry.size && entry.starting === 0),
      )
      if (full) return true
      await new Promise((resolve) => setTimeout(resolve, 25).unref())
    }
    return false
  },
}

/**
 * Starts the worker of a new runtime: from the pool when `pool.size > 0` and the runtime can use a pooled worker
 * (`pooled`: no per-runtime mounts), else a fresh start.
 */
export async function startSiteWorker(
  options: { readonly pool?: { readonly size: number } | undefined },
  workerOptions: PhpWorkerOptions,
  callOptions: PhpWorkerCallOptions & { readonly pooled: boolean },
): Promise<TakenWorker> {
  const size = options.pool?.size ?? 0
  const { pooled, ...call } = callOptions
  if (pooled && size > 0) return takePooledWorker(workerOptions, size, call)
  return { worker: await PhpWorker.start(workerOptions, call), pooled: false }
}
