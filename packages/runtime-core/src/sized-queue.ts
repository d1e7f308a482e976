/**
 * A FIFO of items with a known size each (JSON bytes), for the bounded buffers of a runtime: the command history,
 * the event history and every `observe()` reader's queue. Taking from the front is O(1): the array is compacted
 * now and then instead of shifted per item. Internal to runtime-core.
 */
export class SizedQueue<T> {
  #items: T[] = []
  #sizes: number[] = []
  #start = 0
  #bytes = 0

  /** Items held. */
  get length(): number {
    return this.#items.length - this.#start
  }

  /** Sum of the sizes of the items held. */
  get bytes(): number {
    return this.#bytes
  }

  push(item: T, size: number): void {
    this.#items.push(item)
    this.#sizes.push(size)
    this.#bytes += size
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): { readonly item: T; readonly size: number } | undefined {
    if (this.length === 0) return undefined
    const item = this.#items[this.#start] as T
    const size = this.#sizes[this.#start] ?? 0
    this.#items[this.#start] = undefined as T
    this.#start += 1
    this.#bytes -= size
    this.#compact()
    return { item, size }
  }

  /** The item at `index` (0 is the oldest held). */
  at(index: number): T | undefined {
    return index < 0 || index >= this.length ? undefined : this.#items[this.#start + index]
  }

  /** The size of the item at `index` (0 is the oldest held). */
  sizeAt(index: number): number {
    return index < 0 || index >= this.length ? 0 : (this.#sizes[this.#start + index] ?? 0)
  }

  /** Puts `item` in place of the one at `index` (0 is the oldest held), with its new size. */
  replace(index: number, item: T, size: number): void {
    if (index < 0 || index >= this.length) throw new RangeError(`no item at ${index}`)
    const at = this.#start + index
    this.#bytes += size - (this.#sizes[at] ?? 0)
    this.#items[at] = item
    this.#sizes[at] = size
  }

  /**
   * Drops the oldest items while `over()` says the queue is over its budget, always keeping the newest `keep`.
   * Returns how many items and bytes went.
   */
  dropOldestWhile(over: () => boolean, keep = 1): { readonly count: number; readonly bytes: number } {
    let count = 0
    let bytes = 0
    while (this.length > keep && over()) {
      const dropped = this.shift()
      count += 1
      bytes += dropped?.size ?? 0
    }
    return { count, bytes }
  }

  /** A copy of the items held, oldest first. */
  toArray(): T[] {
    return this.#items.slice(this.#start)
  }

  /** Empties the queue. */
  clear(): void {
    this.#items = []
    this.#sizes = []
    this.#start = 0
    this.#bytes = 0
  }

  #compact(): void {
    if (this.#start > 1024 && this.#start * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#start)
      this.#sizes = this.#sizes.slice(this.#start)
      this.#start = 0
    }
  }
}
