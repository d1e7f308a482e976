/** Options of {@link SharedWork.run}. */
export interface SharedWorkCallOptions {
  /** This caller's signal: aborting it rejects this call only; the work goes on while anyone else waits for it. */
  readonly signal?: AbortSignal | undefined
}

/** What {@link SharedWork.run} resolves with. */
export interface SharedWorkResult<T> {
  readonly value: T
  /**
   * `started`: this call ran the work; `joined`: it waited for a run another caller started; `kept`: the value was
   * kept from an earlier run (with `keep: true`).
   */
  readonly via: 'started' | 'joined' | 'kept'
}

interface Task<T> {
  readonly promise: Promise<T>
  /** Aborts the work: fired when the last waiter has left before it settled. */
  readonly controller: AbortController
  waiters: number
  settled: boolean
  /** The starter's own signal fired: a failure may be its doing (its worker stopped), not the work's. */
  starterAborted: boolean
}

/** Options of {@link SharedWork}. */
export interface SharedWorkOptions {
  /** Keep a successful value for later calls with the same key (a failure is never kept). Default false. */
  readonly keep?: boolean
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError')
}

/**
 * Runs expensive per-key work (a template build, a download) once for every caller that asks for the same key at
 * the same time. Each waiter brings its own AbortSignal: when it fires, that waiter's call rejects at once, and the
 * work itself goes on for the others; only when every waiter has left does the work's own signal abort it. When
 * the work fails after its starter was aborted (it may have used the starter's resources, such as its PHP worker),
 * the remaining waiters run it again themselves instead of inheriting that failure.
 *
 * @example
 * const builds = new SharedWork<Template>()
 * const { value } = await builds.run(key, (signal) => buildTemplate({ signal }), { signal: callerSignal })
 */
export class SharedWork<T> {
  readonly #tasks = new Map<string, Task<T>>()
  readonly #kept = new Map<string, T>()
  readonly #keep: boolean

  constructor(options: SharedWorkOptions = {}) {
    this.#keep = options.keep ?? false
  }

  /** Calls in flight per key, for tests and diagnostics. */
  get inFlight(): number {
    return this.#tasks.size
  }

  /** How many callers wait for any run in flight, for tests and diagnostics. */
  get waiters(): number {
    let total = 0
    for (const task of this.#tasks.values()) total += task.waiters
    return total
  }

  /** How many callers wait for `key`'s run in flight (0 when none is), for tests and diagnostics. */
  waiting(key: string): number {
    return this.#tasks.get(key)?.waiters ?? 0
  }

  /** Forgets a kept value (e.g. its files were removed), so the next call runs the work again. */
  forget(key: string): void {
    this.#kept.delete(key)
  }

  /** The kept value of `key`, if any. */
  peek(key: string): T | undefined {
    return this.#kept.get(key)
  }

  /**
   * Resolves with the work's value for `key`, running `work` only when no call for the key is in flight (and no
   * value is kept). `work` receives a signal that aborts once no caller waits any more.
   */
  async run(
    key: string,
    work: (signal: AbortSignal) => Promise<T>,
    options: SharedWorkCallOptions = {},
  ): Promise<SharedWorkResult<T>> {
    const { signal } = options
    for (;;) {
      signal?.throwIfAborted()
      if (this.#kept.has(key)) return { value: this.#kept.get(key) as T, via: 'kept' }
      let task = this.#tasks.get(key)
      const started = task === undefined
      if (!task) task = this.#start(key, work, signal)
      try {
        return { value: await this.#wait(key, task, signal), via: started ? 'started' : 'joined' }
      } catch (error) {
        // A joiner does not inherit a failure its starter's abort may have caused: it runs the work itself.
        if (started || !task.starterAborted || signal?.aborted) throw error
      }
    }
  }

  #start(
    key: string,
    work: (signal: AbortSignal) => Promise<T>,
    starterSignal: AbortSignal | undefined,
  ): Task<T> {
    const controller = new AbortController()
    const task: Task<T> = {
      controller,
      waiters: 0,
      settled: false,
      starterAborted: false,
      promise: Promise.resolve().then(() => work(controller.signal)),
    }
    starterSignal?.addEventListener(
      'abort',
      () => {
        task.starterAborted = true
      },
      { once: true },
    )
    this.#tasks.set(key, task)
    task.promise.then(
      (value) => {
        task.settled = true
        if (this.#tasks.get(key) === task) this.#tasks.delete(key)
        if (this.#keep) this.#kept.set(key, value)
      },
      () => {
        task.settled = true
        if (this.#tasks.get(key) === task) this.#tasks.delete(key)
      },
    )
    return task
  }

  /** Waits for `task` with this caller's signal; the last waiter to leave early aborts the work. */
  #wait(key: string, task: Task<T>, signal: AbortSignal | undefined): Promise<T> {
    task.waiters++
    if (!signal) {
      return task.promise.finally(() => {
        task.waiters--
      })
    }
    return new Promise<T>((resolve, reject) => {
      let left = false
      const leave = () => {
        if (left) return
        left = true
        task.waiters--
        signal.removeEventListener('abort', onAbort)
      }
      const onAbort = () => {
        leave()
        if (task.waiters === 0 && !task.settled) {
          // Nobody waits any more: stop the work, and let the next caller start afresh.
          if (this.#tasks.get(key) === task) this.#tasks.delete(key)
          task.controller.abort(signal.reason)
        }
        reject(abortError(signal))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      task.promise.then(
        (value) => {
          leave()
          resolve(value)
        },
        (error: unknown) => {
          leave()
          reject(error)
        },
      )
    })
  }
}
