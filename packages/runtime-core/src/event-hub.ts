import type { RuntimeEvent, RuntimeEventInput, RuntimeEventOf, RuntimeEventType } from './events.js'

/** Options of `runtime.observe()`. */
export interface ObserveOptions<T extends RuntimeEventType = RuntimeEventType> {
  /** Only these event types. Default: all. */
  readonly types?: readonly T[]
  /** Stops the iteration when aborted. */
  readonly signal?: AbortSignal
  /** Replay the events already emitted (as far as the history keeps them) before live ones. Default false. */
  readonly replay?: boolean
  /**
   * Most events buffered for a slow reader; beyond it the oldest are dropped and an `events.dropped` event says
   * how many. Default 10 000.
   */
  readonly maxBuffered?: number
}

/** Redacts an event before anyone sees it. Must return a structurally identical event. */
export type EventRedactor = (event: RuntimeEvent) => RuntimeEvent

interface Subscriber {
  readonly accepts: (type: RuntimeEventType) => boolean
  push(event: RuntimeEvent): void
  close(): void
}

/**
 * Stamps, redacts, records and fans out a runtime's events. Readers only ever see redacted events.
 * Internal to runtime-core.
 */
export class EventHub {
  readonly #runtimeId: string
  readonly #redact: EventRedactor
  readonly #history: RuntimeEvent[] = []
  readonly #maxHistory: number
  readonly #subscribers = new Set<Subscriber>()
  #seq = 0
  #closed = false
  #droppedHistory = 0

  constructor(runtimeId: string, redact: EventRedactor, maxHistory = 50_000) {
    this.#runtimeId = runtimeId
    this.#redact = redact
    this.#maxHistory = maxHistory
  }

  /** Events recorded so far (redacted), oldest first. */
  get history(): readonly RuntimeEvent[] {
    return this.#history
  }

  /** How many events fell out of the bounded history. */
  get droppedFromHistory(): number {
    return this.#droppedHistory
  }

  get closed(): boolean {
    return this.#closed
  }

  emit(input: RuntimeEventInput): RuntimeEvent | undefined {
    if (this.#closed) return undefined
    this.#seq += 1
    const stamped = {
      ...input,
      runtimeId: this.#runtimeId,
      seq: this.#seq,
      time: new Date().toISOString(),
    } as RuntimeEvent
    const event = Object.freeze(this.#redact(stamped))
    this.#history.push(event)
    if (this.#history.length > this.#maxHistory) {
      this.#history.shift()
      this.#droppedHistory += 1
    }
    for (const subscriber of this.#subscribers) {
      if (subscriber.accepts(event.type)) subscriber.push(event)
    }
    return event
  }

  /** Ends every reader; later emits are ignored. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    for (const subscriber of this.#subscribers) subscriber.close()
    this.#subscribers.clear()
  }

  on(type: RuntimeEventType | '*', listener: (event: RuntimeEvent) => void): () => void {
    if (this.#closed) return () => {}
    const subscriber: Subscriber = {
      accepts: (candidate) => type === '*' || candidate === type,
      push: (event) => {
        try {
          listener(event)
        } catch {
          // A throwing listener must not break the runtime or other listeners.
        }
      },
      close: () => {},
    }
    this.#subscribers.add(subscriber)
    return () => {
      this.#subscribers.delete(subscriber)
    }
  }

  observe<T extends RuntimeEventType>(
    options: ObserveOptions<T> = {},
  ): AsyncIterableIterator<RuntimeEventOf<T>> {
    const types = options.types ? new Set<RuntimeEventType>(options.types) : undefined
    const accepts = (type: RuntimeEventType) => !types || types.has(type) || type === 'events.dropped'
    const maxBuffered = options.maxBuffered ?? 10_000
    const queue: RuntimeEvent[] = []
    let dropped = 0
    let done = false
    let wake: (() => void) | undefined
    const hub = this

    const finish = () => {
      done = true
      hub.#subscribers.delete(subscriber)
      options.signal?.removeEventListener('abort', finish)
      wake?.()
    }
    const subscriber: Subscriber = {
      accepts,
      push(event) {
        queue.push(event)
        if (queue.length > maxBuffered) {
          queue.shift()
          dropped += 1
        }
        wake?.()
      },
      close: finish,
    }

    if (options.replay) for (const event of this.#history) if (accepts(event.type)) subscriber.push(event)
    if (this.#closed || options.signal?.aborted) done = true
    else {
      this.#subscribers.add(subscriber)
      options.signal?.addEventListener('abort', finish, { once: true })
    }

    const iterator: AsyncIterableIterator<RuntimeEventOf<T>> = {
      [Symbol.asyncIterator]() {
        return iterator
      },
      async next(): Promise<IteratorResult<RuntimeEventOf<T>>> {
        for (;;) {
          if (dropped > 0) {
            const count = dropped
            dropped = 0
            const notice = {
              type: 'events.dropped',
              count,
              runtimeId: hub.#runtimeId,
              seq: 0,
              time: new Date().toISOString(),
            } as const
            return { value: notice as unknown as RuntimeEventOf<T>, done: false }
          }
          const event = queue.shift()
          if (event) return { value: event as unknown as RuntimeEventOf<T>, done: false }
          if (done) return { value: undefined, done: true }
          await new Promise<void>((resolve) => {
            wake = resolve
          })
          wake = undefined
        }
      },
      async return(): Promise<IteratorResult<RuntimeEventOf<T>>> {
        finish()
        queue.length = 0
        return { value: undefined, done: true }
      },
    }
    return iterator
  }
}
