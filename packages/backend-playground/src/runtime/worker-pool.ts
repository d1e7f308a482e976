import { createHash } from 'node:crypto'
import { PhpWorker } from '../worker/php-worker-client.js'
import type { PhpWorkerCallOptions, PhpWorkerOptions } from '../worker/php-worker-options.js'
import { dropSpareThreads } from '../worker/spare-threads.js'
import type { PoolPriming } from './pool-priming.js'

/** A worker booted ahead of time, with the console lines it printed while booting. */
interface PooledWorker {
  readonly worker: PhpWorker
  readonly bootLines: string[]
  /** The taker's options: its log, event and exit callbacks receive everything from the moment of the take. */
  target: PhpWorkerOptions | undefined
}

/**
 * A pooled worker still booting or warming up. A create that finds no ready worker claims it rather than booting a
 * second PHP beside it: the warm-up stops after its current step, and the taker gets the worker once booted.
 */
interface StartingWorker {
  readonly pooled: PooledWorker
  /** The boot, without the warm-up. */
  readonly booted: Promise<PhpWorker>
  claimed: boolean
}

interface PoolEntry {
  readonly options: PhpWorkerOptions
  readonly priming: PoolPriming
  size: number
  readonly ready: PooledWorker[]
  readonly starting: StartingWorker[]
  /** A refill failed; refilling stops until the next take. */
  failed: boolean
  /** When a create last took from (or registered) this entry, for evicting the least recently used snapshot. */
  lastUsed: number
}

/** A worker handed out by {@link takePooledWorker}. */
export interface TakenWorker {
  readonly worker: PhpWorker
  /** Whether it came from the pool (booted ahead of time) rather than being started for this call. */
  readonly pooled: boolean
  /** Whether the site state (the priming) is already in place: true for a pooled worker. */
  readonly primed: boolean
}

/**
 * At most this many snapshots keep a pool of their own at once: each holds `size` booted runtimes (tens of MB
 * each), so forking from many different snapshots must not pile up idle workers. The least recently used goes.
 */
export const MAX_SNAPSHOT_POOLS = 4

const entries = new Map<string, PoolEntry>()
let generation = 0
let exitHookInstalled = false

/**
 * Key of a pool: everything sent to the worker at boot (hashed: constants may hold secrets) and the priming's key
 * (the snapshot a fork starts from).
 */
function poolKey(options: PhpWorkerOptions, priming: PoolPriming): string {
  const { logger: _logger, onLog: _onLog, onEvent: _onEvent, onExit: _onExit, ...rest } = options
  return createHash('sha256').update(JSON.stringify(rest)).update(`\n${priming.key}`).digest('hex')
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
 * Puts the runtime's starting state into a pooled worker and serves a few requests in it before it is handed out,
 * so the first request of the runtime that takes it does not pay the new thread's one-time costs (its JavaScript
 * glue still cold, PHP's filesystem nodes not yet created): measured, a new worker's first WordPress load took
 * several times longer than its second. The requests run on the very site the runtime gets (a fork's snapshot
 * included) and may write to it, so the state is put back afterwards; a worker whose warm-up fails is not pooled.
 */
async function prime(worker: PhpWorker, entry: PoolEntry, claimed: () => boolean): Promise<void> {
  const warmUp = entry.options.wordpress?.siteDir
    ? ['/wp-json/', '/graphql?query=%7B__typename%7D'].map((url) => async () => {
        await worker.request({ url }, { timeoutMs: 60_000 })
      })
    : []
  const steps = [
    () => entry.priming.restore(worker),
    () => entry.priming.install(worker),
    ...warmUp,
    ...(warmUp.length > 0
      ? // A snapshot may carry another runtime's must-use plugins: this runtime's own go back over them.
        [() => entry.priming.restore(worker), () => entry.priming.install(worker)]
      : []),
  ]
  // A claimed worker stops here: its taker puts the state in place itself (see takeStarting).
  for (const step of steps) {
    if (claimed()) return
    await step()
  }
}

/** Stops the idle workers of the least recently used snapshot pools beyond {@link MAX_SNAPSHOT_POOLS}. */
function evictSnapshotPools(): void {
  const snapshots = [...entries].filter(([, entry]) => entry.priming.fromSnapshot)
  snapshots.sort(([, a], [, b]) => b.lastUsed - a.lastUsed)
  for (const [key, entry] of snapshots.slice(MAX_SNAPSHOT_POOLS)) {
    entries.delete(key)
    for (const pooled of entry.ready.splice(0)) void pooled.worker.terminate()
  }
}

function refill(key: string, entry: PoolEntry): void {
  if (entry.failed || entry.ready.length + entry.starting.length >= entry.size) return
  const started = generation
  const pooled: PooledWorker = { bootLines: [], target: undefined, worker: undefined as unknown as PhpWorker }
  // One start at a time per template: booting PHP is CPU-bound and competes with the runtimes in use.
  // The callbacks are routed to whoever takes the worker (never to the runtime whose options made the entry).
  const booted = PhpWorker.start({
    ...entry.options,
    unref: true,
    logger: {
      debug: (line) => (pooled.target ? pooled.target.logger?.debug(line) : pooled.bootLines.push(line)),
    },
    onLog: (logEntry) => pooled.target?.onLog?.(logEntry),
    onEvent: (event) => pooled.target?.onEvent?.(event),
    onExit: (exit) => pooled.target?.onExit?.(exit),
  })
  const job: StartingWorker = { pooled, booted, claimed: false }
  entry.starting.push(job)
  const leave = () => {
    const index = entry.starting.indexOf(job)
    if (index >= 0) entry.starting.splice(index, 1)
  }
  void booted
    .then(async (worker) => {
      await prime(worker, entry, () => job.claimed).catch(async (error: unknown) => {
        if (job.claimed) return
        await worker.terminate()
        throw error
      })
      return worker
    })
    .then(
      (worker) => {
        leave()
        const current = started === generation && entries.get(key) === entry
        // A claimed worker is its taker's; the next refill starts once it has booted, not beside its boot.
        if (job.claimed) {
          if (current) refill(key, entry)
          return
        }
        if (!current) {
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
        leave()
        if (!job.claimed) entry.failed = true
      },
    )
}

/**
 * Claims a worker still starting for `entry`, waits for its boot and puts the runtime's starting state in place
 * (whatever part of the warm-up ran is undone). Undefined when none is starting, or its boot or that state failed
 * (the worker is stopped): the caller starts one itself.
 *
 * @throws the caller's abort reason when `signal` fires while it waits (the claimed worker is then stopped).
 */
async function takeStarting(
  entry: PoolEntry,
  options: PhpWorkerOptions,
  signal: AbortSignal | undefined,
): Promise<PhpWorker | undefined> {
  const job = entry.starting.find((candidate) => !candidate.claimed)
  if (!job) return undefined
  job.claimed = true
  let worker: PhpWorker
  try {
    worker = await untilAborted(job.booted, signal)
  } catch (error) {
    void job.booted.then(
      (booted) => booted.terminate(),
      () => undefined,
    )
    if (signal?.aborted) throw error
    return undefined
  }
  // The caller now waits on this worker: it keeps the process alive, as a worker started for the caller would.
  worker.ref()
  try {
    await entry.priming.restore(worker, signal)
    await entry.priming.install(worker, signal)
  } catch (error) {
    // Like a warm-up that fails, a state that cannot be put in place means this worker is not handed out.
    await worker.terminate()
    if (signal?.aborted) throw error
    return undefined
  }
  // Handed out only now, as a ready worker is: its callbacks reach the taker from here on, its boot lines replayed.
  job.pooled.target = options
  for (const line of job.pooled.bootLines) options.logger?.debug(line)
  return worker
}

/** `promise`, or the abort reason of `signal` as soon as it fires. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/**
 * Takes a worker for `options`, primed with `priming`, from the pool (keeping `size` ready per configuration and
 * refilling in the background), or starts one now when none is ready (then `primed` is false: the caller puts the
 * state in place). A worker is handed out once and never returns to the pool.
 */
export async function takePooledWorker(
  options: PhpWorkerOptions,
  priming: PoolPriming,
  size: number,
  callOptions: PhpWorkerCallOptions,
): Promise<TakenWorker> {
  installExitHook()
  const key = poolKey(options, priming)
  let entry = entries.get(key)
  if (!entry) {
    entry = { options, priming, size, ready: [], starting: [], failed: false, lastUsed: 0 }
    entries.set(key, entry)
  }
  entry.lastUsed = performance.now()
  if (priming.fromSnapshot) evictSnapshotPools()
  entry.size = Math.max(entry.size, size)
  entry.failed = false
  let pooled = entry.ready.shift()
  while (pooled?.worker.isExited) pooled = entry.ready.shift()
  if (pooled) {
    pooled.worker.ref()
    pooled.target = options
    for (const line of pooled.bootLines) options.logger?.debug(line)
    refill(key, entry)
    return { worker: pooled.worker, pooled: true, primed: true }
  }
  const claimed = await takeStarting(entry, options, callOptions.signal)
  if (claimed) return { worker: claimed, pooled: true, primed: true }
  const worker = await PhpWorker.start(options, callOptions)
  refill(key, entry)
  return { worker, pooled: false, primed: false }
}

/**
 * The process-wide pool of pre-started PHP workers used by `playground({ pool: { size } })`.
 * Pooled workers never keep the process alive and are stopped at exit; call `drain()` to stop them sooner
 * (e.g. in a test suite's teardown).
 */
export const playgroundPool = {
  /**
   * Stops every idle pooled worker and the spare thread (see {@link playgroundPool.spareThreads}) and forgets all
   * configurations; later creates start refilling again.
   */
  async drain(): Promise<void> {
    generation++
    const workers = [...entries.values()].flatMap((entry) => entry.ready.map((pooled) => pooled.worker))
    entries.clear()
    await Promise.all([...workers.map((worker) => worker.terminate()), dropSpareThreads()])
  },
  /**
   * Whether a worker thread is kept started ahead (default on, with or without a pool): every PHP worker start then
   * takes a thread that has already come up and imported php-wasm (~200 ms measured on 2 cores), and a new one is
   * started once its PHP has booted. It holds no PHP and no runtime's data; it costs one idle thread (~20 MB) per
   * process and never keeps the process alive. Off stops it now and starts none until turned on again.
   */
  async spareThreads(enabled: boolean): Promise<void> {
    await dropSpareThreads({ enabled })
  },
  /** Idle pooled workers per configuration (keys are hashes), for diagnostics and tests. */
  stats(): { readonly configurations: number; readonly ready: number; readonly starting: number } {
    let ready = 0
    let starting = 0
    for (const entry of entries.values()) {
      ready += entry.ready.length
      starting += entry.starting.length
    }
    return { configurations: entries.size, ready, starting }
  },
  /** Resolves once every configuration has its pool full (or refilling stopped), for benchmarks and tests. */
  async whenFull(options: { timeoutMs?: number } = {}): Promise<boolean> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000)
    while (Date.now() < deadline) {
      const full = [...entries.values()].every(
        (entry) => entry.failed || (entry.ready.length >= entry.size && entry.starting.length === 0),
      )
      if (full) return true
      await new Promise((resolve) => setTimeout(resolve, 25).unref())
    }
    return false
  },
}

/**
 * Starts the worker of a new runtime: from the pool when `pool.size > 0` and the runtime can use a pooled worker
 * (`pooled`: no per-runtime mounts), else a fresh start. The pool is kept per priming, so a fork takes a worker
 * that already holds its snapshot.
 */
export async function startSiteWorker(
  options: { readonly pool?: { readonly size: number } | undefined },
  workerOptions: PhpWorkerOptions,
  priming: PoolPriming,
  callOptions: PhpWorkerCallOptions & { readonly pooled: boolean },
): Promise<TakenWorker> {
  const size = options.pool?.size ?? 0
  const { pooled, ...call } = callOptions
  if (pooled && size > 0) return takePooledWorker(workerOptions, priming, size, call)
  return { worker: await PhpWorker.start(workerOptions, call), pooled: false, primed: false }
}
