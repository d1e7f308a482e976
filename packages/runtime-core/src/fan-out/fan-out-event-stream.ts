import type { FanOutEvent, FanOutEventsOptions } from './fan-out-types.js'

interface Reader {
  push(event: FanOutEvent): void
  close(): void
}

/**
 * The merged event stream of a fan-out. Keeps the last `maxEvents` events so a reader that starts late still sees
 * the run from (nearly) the beginning, and gives each reader its own queue, bounded the same way: a reader that
 * falls behind loses the oldest events and is told how many with a `fan-out.events-dropped` event.
 * Internal to runtime-core.
 */
export class FanOutEventStream {
  readonly #maxEvents: number
  readonly #history: FanOutEvent[] = []
  #droppedFromHistory = 0
  readonly #readers = new Set<Reader>()
  #closed = false

  constructor(maxEvents: number) {
    this.#maxEvents = maxEvents
  }

  push(event: FanOutEvent): void {
    if (this.#closed) return
    this.#history.push(event)
    if (this.#history.length > this.#maxEvents) {
      this.#history.shift()
      this.#droppedFromHistory += 1
    }
    for (const reader of this.#readers) reader.push(event)
  }

  /** Ends every reader once it has read what it holds; later pushes are ignored. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    for (const reader of this.#readers) reader.close()
    this.#readers.clear()
  }

  read(options: FanOutEventsOptions = {}): AsyncIterableIterator<FanOutEvent> {
    const queue: FanOutEvent[] = []
    let dropped = this.#droppedFromHistory
    let ended = false
    let wake: (() => void) | undefined
    const readers = this.#readers
    const max = this.#maxEvents

    const reader: Reader = {
      push(event) {
        queue.push(event)
        if (queue.length > max) {
          queue.shift()
          dropped += 1
        }
        wake?.()
      },
      close() {
        ended = true
        wake?.()
      },
    }
    const stop = () => {
      ended = true
      queue.length = 0
      readers.delete(reader)
      options.signal?.removeEventListener('abort', stop)
      wake?.()
    }
    for (const event of this.#history) queue.push(event)
    if (this.#closed) ended = true
    else readers.add(reader)
    if (options.signal?.aborted) stop()
    else options.signal?.addEventListener('abort', stop, { once: true })

    const iterator: AsyncIterableIterator<FanOutEvent> = {
      async next(): Promise<IteratorResult<FanOutEvent>> {
        for (;;) {
          if (dropped > 0) {
            const count = dropped
            dropped = 0
            return { done: false, value: { type: 'fan-out.events-dropped', count } }
          }
          const event = queue.shift()
          if (event) return { done: false, value: event }
          if (ended) {
            stop()
            return { done: true, value: undefined }
          }
          await new Promise<void>((resolve) => {
            wake = resolve
          })
          wake = undefined
        }
      },
      async return(): Promise<IteratorResult<FanOutEvent>> {
        stop()
        return { done: true, value: undefined }
      },
      [Symbol.asyncIterator]() {
        return iterator
      },
    }
    return iterator
  }
}
