import type { BackendInstance } from './backend.js'
import { AbortedError, CodeboxError, type RuntimeState, RuntimeStateError, TimeoutError } from './errors.js'
import type { CallOptions } from './runtime.js'
import { ABORT_GRACE_MS } from './runtime-defaults.js'

/** What a runtime does once its lifecycle has stopped every in-flight call. */
export interface RuntimeTeardown {
  /** Releases the backend instance; must not throw. */
  release(): Promise<void>
  /** Runs once the state is `destroyed`: announce it, close the streams. `wasFailed` tells why it ended. */
  destroyed(wasFailed: boolean): void
}

/**
 * A runtime's lifecycle state machine: `creating → ready → (failed) → destroying → destroyed`, the backend instance
 * it guards, the calls in flight, and the lifetime signal that stops them all on destroy. Every operation asks it
 * first whether the state allows it. Internal to runtime-core.
 */
export class RuntimeLifecycle {
  #state: RuntimeState = 'creating'
  #instance: BackendInstance | undefined
  readonly #lifetime = new AbortController()
  readonly #inflight = new Set<Promise<unknown>>()
  #destroying: Promise<void> | undefined

  get state(): RuntimeState {
    return this.#state
  }

  /** The backend instance once the backend created it (also after a failed or aborted create). */
  get instance(): BackendInstance | undefined {
    return this.#instance
  }

  /** Aborts as soon as `destroy()` begins, stopping every call in flight. */
  get signal(): AbortSignal {
    return this.#lifetime.signal
  }

  /** Keeps the backend's instance, so a destroy releases it even when the create is abandoned. */
  attach(instance: BackendInstance): void {
    this.#instance = instance
  }

  /** `creating → ready`. */
  ready(): void {
    this.#state = 'ready'
  }

  /** `creating | ready → failed`; false (and no change) in any other state. */
  fail(): boolean {
    if (this.#state !== 'ready' && this.#state !== 'creating') return false
    this.#state = 'failed'
    return true
  }

  /** The instance, or a {@link RuntimeStateError} naming `operation` unless the state is one of `allowed`. */
  assert(operation: string, allowed: readonly RuntimeState[] = ['ready']): BackendInstance {
    if (!allowed.includes(this.#state) || !this.#instance) throw new RuntimeStateError(operation, this.#state)
    return this.#instance
  }

  /** Counts `promise` as in flight until it settles: destroy waits for it (within the abort grace). */
  track<T>(promise: Promise<T>): Promise<T> {
    this.#inflight.add(promise)
    void promise.finally(() => this.#inflight.delete(promise)).catch(() => {})
    return promise
  }

  /** Runs `work` with a deadline and the caller's and the runtime's signals combined. */
  async withSignal<T>(
    operation: string,
    options: CallOptions,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const signals = [this.#lifetime.signal]
    if (options.signal) signals.push(options.signal)
    if (options.timeoutMs !== undefined) signals.push(AbortSignal.timeout(options.timeoutMs))
    const signal = AbortSignal.any(signals)
    if (signal.aborted) throw new AbortedError(operation, signal.reason)
    try {
      return await work(signal)
    } catch (error) {
      if (signal.aborted && !(error instanceof CodeboxError)) {
        if (options.timeoutMs !== undefined && !options.signal?.aborted && !this.#lifetime.signal.aborted) {
          throw new TimeoutError(operation, options.timeoutMs)
        }
        throw new AbortedError(operation, signal.reason)
      }
      throw error
    }
  }

  /**
   * `→ destroying → destroyed`, once: later and concurrent calls get the same promise. Stops the calls in flight
   * through the lifetime signal and waits for them within the abort grace, never forever.
   */
  destroy(teardown: RuntimeTeardown): Promise<void> {
    if (this.#destroying) return this.#destroying
    const wasFailed = this.#state === 'failed'
    this.#state = 'destroying'
    this.#lifetime.abort(new AbortedError('runtime', 'destroyed'))
    this.#destroying = (async () => {
      // In-flight commands settle within the abort grace; never wait forever for them.
      await Promise.race([
        Promise.allSettled([...this.#inflight]),
        new Promise((resolve) => setTimeout(resolve, ABORT_GRACE_MS * 2).unref?.()),
      ])
      await teardown.release()
      this.#state = 'destroyed'
      teardown.destroyed(wasFailed)
    })()
    return this.#destroying
  }
}
