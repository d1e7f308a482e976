/** The two caps of a {@link BoundedLog}. */
export interface BoundedLogLimits {
  /** Most records kept; the oldest go first. */
  readonly maxRecords: number
  /** Most bytes kept, as the sizes given to `push` add up; the oldest go first. */
  readonly maxBytes: number
}

/**
 * An append-only log of records that keeps within a record count and a byte budget by dropping the oldest,
 * always keeping the newest record, and counts what it dropped (for the bundle's truncation record). Each
 * record's size is given by the caller (runtime-core passes its JSON size). Pushing is amortised O(1): kept
 * records are a window of an array that is compacted now and then instead of shifted per drop.
 *
 * The caps are parameters, not constants: each history decides its own (`CommandHistoryLimits`,
 * `EventHistoryLimits`).
 *
 * @example
 * const log = new BoundedLog<string>({ maxRecords: 1000, maxBytes: 1 << 20 })
 * log.push(line, Buffer.byteLength(line))
 * log.dropped // { records, bytes } that fell out
 */
export class BoundedLog<T> {
  readonly #limits: BoundedLogLimits
  #records: T[] = []
  #sizes: number[] = []
  /** Kept records are `#records[#start…]`. */
  #start = 0
  #bytes = 0
  #droppedRecords = 0
  #droppedBytes = 0

  constructor(limits: BoundedLogLimits) {
    this.#limits = limits
  }

  /** Kept records, oldest first (a copy). */
  get records(): readonly T[] {
    return this.#records.slice(this.#start)
  }

  /** How many records are kept. */
  get length(): number {
    return this.#records.length - this.#start
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes
  }

  /** Records that fell out (the oldest) and their bytes. */
  get dropped(): { readonly records: number; readonly bytes: number } {
    return { records: this.#droppedRecords, bytes: this.#droppedBytes }
  }

  /** The `index`-th kept record (0: the oldest), or undefined. */
  at(index: number): T | undefined {
    return index >= 0 && index < this.length ? this.#records[this.#start + index] : undefined
  }

  /** The size given for the `index`-th kept record (0: the oldest), or 0. */
  sizeAt(index: number): number {
    return index >= 0 && index < this.length ? (this.#sizes[this.#start + index] ?? 0) : 0
  }

  /**
   * Takes the oldest kept record out (a reader consuming a queue; not counted as dropped), or undefined when
   * none is kept.
   */
  shift(): { readonly record: T; readonly bytes: number } | undefined {
    if (this.length === 0) return undefined
    const record = this.#records[this.#start] as T
    const bytes = this.#sizes[this.#start] ?? 0
    this.#records[this.#start] = undefined as T
    this.#bytes -= bytes
    this.#start += 1
    this.#compact()
    return { record, bytes }
  }

  /** Forgets every kept record (the dropped counts stay). */
  clear(): void {
    this.#records = []
    this.#sizes = []
    this.#start = 0
    this.#bytes = 0
  }

  /** Replaces the `index`-th kept record (0: the oldest) with one of `bytes` size; no record is dropped. */
  replace(index: number, record: T, bytes: number): void {
    if (index < 0 || index >= this.length) throw new RangeError(`no kept record at ${index}`)
    const at = this.#start + index
    this.#bytes += bytes - (this.#sizes[at] ?? 0)
    this.#records[at] = record
    this.#sizes[at] = bytes
  }

  /** Appends a record of `bytes` size, then drops the oldest while over either cap (the newest always stays). */
  push(record: T, bytes: number): void {
    this.#records.push(record)
    this.#sizes.push(bytes)
    this.#bytes += bytes
    while (
      this.length > 1 &&
      (this.length > this.#limits.maxRecords || this.#bytes > this.#limits.maxBytes)
    ) {
      const size = this.#sizes[this.#start] ?? 0
      this.#bytes -= size
      this.#droppedBytes += size
      this.#droppedRecords += 1
      this.#records[this.#start] = undefined as T
      this.#start += 1
    }
    this.#compact()
  }

  /** Drops the window's dead head now and then, so taking from the front stays amortised O(1). */
  #compact(): void {
    if (this.#start > 1024 && this.#start * 2 > this.#records.length) {
      this.#records = this.#records.slice(this.#start)
      this.#sizes = this.#sizes.slice(this.#start)
      this.#start = 0
    }
  }
}
