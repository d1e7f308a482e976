import type { Redactor } from './redactor.js'
import type { BoundedText } from './schemas.js'

/** Default byte budget of a {@link BoundedBuffer}: 1 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024

/** The explicit marker inserted where bytes were omitted. */
export function truncationMarker(omittedBytes: number): string {
  return `\n[codebox: ${omittedBytes} bytes truncated]\n`
}

/**
 * An output with its text dropped: only the truncation marker remains, and every byte counts as omitted. How
 * command histories and `commands.jsonl` shed outputs before they shed whole records. Empty text stays as it is.
 */
export function withoutText(output: Readonly<BoundedText>): Readonly<BoundedText> {
  if (output.text.length === 0) return output
  return Object.freeze({
    text: truncationMarker(output.totalBytes),
    totalBytes: output.totalBytes,
    truncated: true,
    omittedBytes: output.totalBytes,
  })
}

/** Options for {@link BoundedBuffer}. */
export interface BoundedBufferOptions {
  /** Bytes kept at most (the marker comes on top). Default {@link DEFAULT_MAX_OUTPUT_BYTES}. */
  maxBytes?: number
  /**
   * `head-and-tail` (default) keeps the first half and the last half of the budget — the start of a log and how it
   * ended are usually what matters; `head` keeps only the first `maxBytes`.
   */
  keep?: 'head-and-tail' | 'head'
}

/** Options for {@link BoundedBuffer.toBoundedText}. */
export interface ToBoundedTextOptions {
  /** When given, head and tail are redacted with {@link Redactor.redactSplit} (safe across the cut). */
  redactor?: Redactor
}

/** Number of bytes at the end of `b` that form an incomplete UTF-8 sequence. */
function incompleteTail(b: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const byte = b[b.length - back]!
    if ((byte & 0xc0) === 0x80) continue // continuation byte, keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return need > back ? back : 0
  }
  return 0
}

/** Number of continuation bytes at the start of `b` (the rest of a sequence cut at the front). */
function orphanHead(b: Uint8Array): number {
  let n = 0
  while (n < Math.min(3, b.length) && (b[n]! & 0xc0) === 0x80) n++
  return n
}

const decoder = new TextDecoder('utf-8')

function compose(head: Uint8Array, tail: Uint8Array, totalBytes: number, omittedBytes: number): BoundedText {
  if (omittedBytes === 0)
    return { text: decoder.decode(concat(head, tail)), totalBytes, truncated: false, omittedBytes: 0 }
  const text = `${decoder.decode(head)}${truncationMarker(omittedBytes)}${decoder.decode(tail)}`
  return { text, totalBytes, truncated: true, omittedBytes }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (b.byteLength === 0) return a
  if (a.byteLength === 0) return b
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a, 0)
  out.set(b, a.byteLength)
  return out
}

/**
 * Accumulates streamed output within a fixed byte budget: memory stays O(maxBytes) however much is pushed.
 * Counts every byte, keeps the head (and, by default, the tail), and renders a {@link BoundedText} whose `text`
 * carries an explicit truncation marker with the number of omitted bytes.
 *
 * @example
 * const out = new BoundedBuffer({ maxBytes: 64 * 1024 })
 * child.stdout.on('data', (chunk) => out.push(chunk))
 * const stdout = out.toBoundedText({ redactor })
 */
export class BoundedBuffer {
  readonly #headCap: number
  readonly #tailCap: number
  #head: Uint8Array = new Uint8Array(0)
  #headLen = 0
  #tail: Uint8Array = new Uint8Array(0)
  #tailLen = 0
  #tailPos = 0
  #total = 0

  constructor(options: BoundedBufferOptions = {}) {
    const max = Math.max(0, Math.floor(options.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES))
    if ((options.keep ?? 'head-and-tail') === 'head') {
      this.#headCap = max
      this.#tailCap = 0
    } else {
      this.#headCap = Math.floor(max / 2)
      this.#tailCap = max - this.#headCap
    }
  }

  /** Every byte pushed so far. */
  get totalBytes(): number {
    return this.#total
  }

  /** Whether some bytes were dropped. */
  get truncated(): boolean {
    return this.#total > this.#headLen + this.#tailLen
  }

  /** Appends a chunk (strings are UTF-8 encoded). */
  push(chunk: Uint8Array | string): void {
    let bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk
    this.#total += bytes.byteLength
    if (this.#headLen < this.#headCap) {
      const take = Math.min(this.#headCap - this.#headLen, bytes.byteLength)
      this.#head = grow(this.#head, this.#headLen + take, this.#headCap)
      this.#head.set(bytes.subarray(0, take), this.#headLen)
      this.#headLen += take
      bytes = bytes.subarray(take)
    }
    if (bytes.byteLength === 0 || this.#tailCap === 0) return
    const cap = this.#tailCap
    if (bytes.byteLength >= cap) {
      this.#tail = grow(this.#tail, cap, cap)
      this.#tail.set(bytes.subarray(bytes.byteLength - cap), 0)
      this.#tailLen = cap
      this.#tailPos = 0
      return
    }
    if (this.#tailLen < cap) {
      // Not wrapped yet: data is contiguous at [0, tailLen).
      const fit = Math.min(cap - this.#tailLen, bytes.byteLength)
      this.#tail = grow(this.#tail, this.#tailLen + fit, cap)
      this.#tail.set(bytes.subarray(0, fit), this.#tailLen)
      this.#tailLen += fit
      this.#tailPos = this.#tailLen % cap
      bytes = bytes.subarray(fit)
      if (bytes.byteLength === 0) return
    }
    // Ring mode: overwrite the oldest bytes.
    const first = Math.min(cap - this.#tailPos, bytes.byteLength)
    this.#tail.set(bytes.subarray(0, first), this.#tailPos)
    this.#tail.set(bytes.subarray(first), 0)
    this.#tailPos = (this.#tailPos + bytes.byteLength) % cap
  }

  /** The kept head and tail bytes (the tail is empty in `head` mode). */
  bytes(): { head: Uint8Array; tail: Uint8Array } {
    const head = this.#head.slice(0, this.#headLen)
    let tail: Uint8Array
    if (this.#tailLen < this.#tailCap || this.#tailPos === 0) tail = this.#tail.slice(0, this.#tailLen)
    else tail = concat(this.#tail.slice(this.#tailPos, this.#tailLen), this.#tail.slice(0, this.#tailPos))
    return { head, tail }
  }

  /**
   * Renders the kept bytes as text: `head + marker + tail` when truncated. Partial UTF-8 sequences at the cut are
   * dropped and counted as omitted. With a redactor, the result is redacted safely across the cut.
   */
  toBoundedText(options: ToBoundedTextOptions = {}): BoundedText {
    let { head, tail } = this.bytes()
    const truncated = this.truncated
    if (!truncated) {
      const all = concat(head, tail)
      const text = options.redactor ? options.redactor.redactBytes(all) : all
      return compose(text, new Uint8Array(0), this.#total, 0)
    }
    head = head.subarray(0, head.byteLength - incompleteTail(head))
    tail = tail.subarray(orphanHead(tail))
    const omitted = this.#total - head.byteLength - tail.byteLength
    if (options.redactor) {
      const split = options.redactor.redactSplit(head, tail)
      return compose(split.head, split.tail, this.#total, omitted + split.droppedBytes)
    }
    return compose(head, tail, this.#total, omitted)
  }
}

function grow(buf: Uint8Array, needed: number, cap: number): Uint8Array {
  if (buf.byteLength >= needed) return buf
  const size = Math.min(cap, Math.max(needed, buf.byteLength * 2, 4096))
  const next = new Uint8Array(size)
  next.set(buf, 0)
  return next
}

/**
 * Bounds a complete string to `maxBytes` of UTF-8, keeping head and tail around an explicit marker.
 * Redact before bounding: a complete string has no secret straddling a cut.
 */
export function boundText(text: string, maxBytes: number): BoundedText {
  const bytes = Buffer.from(text, 'utf8')
  if (bytes.byteLength <= maxBytes) {
    return { text, totalBytes: bytes.byteLength, truncated: false, omittedBytes: 0 }
  }
  return boundBytesAsText(bytes, maxBytes)
}

/** Bounds bytes to `maxBytes` (head and tail kept) and renders them as text with a marker. */
export function boundBytesAsText(bytes: Uint8Array, maxBytes: number): BoundedText {
  if (bytes.byteLength <= maxBytes) return compose(bytes, new Uint8Array(0), bytes.byteLength, 0)
  const headCap = Math.floor(maxBytes / 2)
  let head = bytes.subarray(0, headCap)
  let tail = bytes.subarray(bytes.byteLength - (maxBytes - headCap))
  head = head.subarray(0, head.byteLength - incompleteTail(head))
  tail = tail.subarray(orphanHead(tail))
  return compose(head, tail, bytes.byteLength, bytes.byteLength - head.byteLength - tail.byteLength)
}

/** Bounds raw bytes to `maxBytes` (head and tail kept) with the marker between them; binary-safe. */
export function boundBytes(bytes: Uint8Array, maxBytes: number): { bytes: Uint8Array; omittedBytes: number } {
  if (bytes.byteLength <= maxBytes) return { bytes, omittedBytes: 0 }
  const headCap = Math.floor(maxBytes / 2)
  const tailCap = maxBytes - headCap
  const omittedBytes = bytes.byteLength - maxBytes
  const mark = new TextEncoder().encode(truncationMarker(omittedBytes))
  const out = new Uint8Array(maxBytes + mark.byteLength)
  out.set(bytes.subarray(0, headCap), 0)
  out.set(mark, headCap)
  out.set(bytes.subarray(bytes.byteLength - tailCap), headCap + mark.byteLength)
  return { bytes: out, omittedBytes }
}
