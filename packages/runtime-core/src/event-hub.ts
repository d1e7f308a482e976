import { BoundedLog, boundStrings, jsonBytes } from '@codebox/artifacts'
import type { RuntimeEvent, RuntimeEventInput, RuntimeEventOf, RuntimeEventType } from './events.js'
import { DEFAULT_RUNTIME_LIMITS } from './runtime-limits.js'

/** What the event history (replayed by `observe({ replay })` and written to bundles) keeps. */
export interface EventHistoryLimits {
  /** Most events kept; the oldest go first. Default 50 000. */
  readonly maxEvents: number
  /** Most bytes kept, as JSON; the oldest go first. Default 2 MiB (`createRuntime({ limits: { eventHistoryBytes } })`). */
  readonly maxBytes: number
  /**
   * Any string inside a kept event (a `command.output` chunk, say) is cut to this size with an explicit marker.
   * Live listeners still get the whole event. Default 64 KiB.
   */
  readonly maxStringBytes: number
  /**
   * Default byte cap of each `observe()` reader's buffer (see {@link ObserveOptions.maxBufferedBytes}). Default 1 MiB
   * (`createRuntime({ limits: { observeBufferBytes } })`).
   */
  readonly observeBufferBytes: number
}

/** Defaults of {@link EventHistoryLimits}. */
export const DEFAULT_EVENT_HISTORY_LIMITS: EventHistoryLimits = {
  maxEvents: 50_000,
  maxBytes: DEFAULT_RUNTIME_LIMITS.eventHistoryBytes,
  maxStringBytes: 64 * 1024,
  observeBufferBytes: DEFAULT_RUNTIME_LIMITS.observeBufferBytes,
}

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
  /**
   * Most bytes (as JSON) of events buffered for a slow reader; beyond it the oldest are dropped, as with
   * `maxBuffered`. The newest event is always kept. Default: the runtime's `limits.observeBufferBytes` (1 MiB).
   */
  readonly maxBufferedBytes?: number
}

/** Redacts an event before anyone sees it. Must return a structurally identical event. */
export type EventRedactor = (event: RuntimeEvent) => RuntimeEvent

interface Subscriber {
  readonly accepts: (type: RuntimeEventType) => boolean
  /** `size`: the event's JSON bytes (as this reader gets it). */
  push(event: RuntimeEvent, size: number): void
  close(): void
}

/**
 * Stamps, redacts, records and fans out a runtime's events. Readers only ever see redacted events. The history is
 * bounded by count and bytes (see {@link EventHistoryLimits}); what falls out is counted.
 * Internal to runtime-core.
 */
export class EventHub {
  readonly #runtimeId: string
  readonly #redact: EventRedactor
  readonly #limits: EventHistoryLimits
  readonly #history: BoundedLog<RuntimeEvent>
  readonly #subscribers = new Set<Subscriber>()
  #seq = 0
  #closed = false
  #cutStrings = 0

  constructor(runtimeId: string, redact: EventRedactor, limits: Partial<EventHistoryLimits> = {}) {
    this.#runtimeId = runtimeId
    this.#redact = redact
    this.#limits = { ...DEFAULT_EVENT_HISTORY_LIMITS, ...limits }
    this.#history = new BoundedLog({ maxRecords: this.#limits.maxEvents, maxBytes: this.#limits.maxBytes })
  }

  /** Events recorded so far (redacted, strings bounded), oldest first. */
  get history(): readonly RuntimeEvent[] {
    return this.#history.records
  }

  /** How many events fell out of the bounded history (the oldest). */
  get droppedFromHistory(): number {
    return this.#history.dropped.records
  }

  /** Their JSON size in bytes, as kept. */
  get droppedHistoryBytes(): number {
    return this.#history.dropped.bytes
  }

  /** Bytes the history holds now, as JSON. */
  get historyBytes(): number {
    return this.#history.bytes
  }

  /** Records the event (strings bounded) and returns the JSON size of the whole event, as live readers get it. */
  #record(event: RuntimeEvent): number {
    const bounded = boundStrings(event, this.#limits.maxStringBytes)
    if (bounded.omittedBytes > 0) this.#cutStrings += 1
    const kept = bounded.value === event ? event : Object.freeze(bounded.value)
    const size = jsonBytes(kept)
    this.#history.push(kept, size)
    // The cut strings' bytes are back in the whole event (less the markers: close enough for a buffer budget).
    return size + bounded.omittedBytes
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Stamps, redacts (unless `redacted` says the caller did), records and fans out an event. */
  emit(input: RuntimeEventInput, options: { readonly redacted?: boolean } = {}): RuntimeEvent | undefined {
    if (this.#closed) return undefined
    this.#seq += 1
    const stamped = {
      ...input,
      runtimeId: this.#runtimeId,
      seq: this.#seq,
      time: new Date().toISOString(),
    } as RuntimeEvent
    const event = Object.freeze(options.redacted === true ? stamped : this.#redact(stamped))
    const size = this.#record(event)
    for (const subscriber of this.#subscribers) {
      if (subscriber.accepts(event.type)) subscriber.push(event, size)
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
    const maxBufferedBytes = options.maxBufferedBytes ?? this.#limits.observeBufferBytes
    const queue = new BoundedLog<RuntimeEvent>({ maxRecords: maxBuffered, maxBytes: maxBufferedBytes })
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
      push(event, size) {
        const before = queue.dropped.records
        queue.push(event, size)
        dropped += queue.dropped.records - before
        wake?.()
      },
      close: finish,
    }

    if (options.replay) {
      // The reader learns first that the oldest events are gone.
      dropped = this.#history.dropped.records
      for (let index = 0; index < this.#history.length; index++) {
        const event = this.#history.at(index) as RuntimeEvent
        if (accepts(event.type)) subscriber.push(event, this.#history.sizeAt(index))
      }
    }
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
          const next = queue.shift()
          if (next) return { value: next.record as unknown as RuntimeEventOf<T>, done: false }
          if (done) return { value: undefined, done: true }
          await new Promise<void>((resolve) => {
            wake = resolve
          })
          wake = undefined
        }
      },
      async return(): Promise<IteratorResult<RuntimeEventOf<T>>> {
        finish()
        queue.clear()
        return { value: undefined, done: true }
      },
    }
    return iterator
  }
}
