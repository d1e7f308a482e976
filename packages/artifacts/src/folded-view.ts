/**
 * Bytes as the secret matcher compares them: ASCII letters folded to lower case and line breaks (`\r`, `\n`) left
 * out, so a secret re-cased or broken over lines reads as one run. Other bytes are kept as they are (UTF-8 lead and
 * continuation bytes included); other scripts' letter cases are matched through the secret's case variants.
 */
export interface FoldedView {
  /** The source as a binary string (one char per byte). */
  readonly source: string
  /** The folded bytes. */
  readonly bytes: Uint8Array
  /** The folded bytes as a binary string, for regular expressions. */
  readonly text: string
  /** For each line-break byte left out, the view position it stood before (ascending); absent when none. */
  readonly breaks: Int32Array | null
}

const LF = 10
const CR = 13
const FOLD = new Uint8Array(256).map((_, c) => (c >= 65 && c <= 90 ? c | 32 : c))

/** Folds `bytes`; `source` is the same bytes as a binary string. */
export function foldView(source: string, bytes: Uint8Array = Buffer.from(source, 'latin1')): FoldedView {
  const folded = new Uint8Array(bytes.length)
  const breaks: number[] = []
  const length = bytes.length
  let n = 0
  for (let i = 0; i < length; i++) {
    const c = bytes[i] as number
    if (c === LF || c === CR) breaks.push(n)
    else folded[n++] = FOLD[c] as number
  }
  return {
    source,
    bytes: folded.subarray(0, n),
    text: Buffer.from(folded.buffer, 0, n).toString('latin1'),
    breaks: breaks.length === 0 ? null : Int32Array.from(breaks),
  }
}

/** Source position of view position `i` (`i` may be the view's length: the end of the source). */
export function sourceStart(view: FoldedView, i: number): number {
  const { breaks } = view
  if (!breaks) return i
  if (i >= view.bytes.length) return view.source.length
  // Every break left out before view position i (at <= i) moved it one byte on.
  let lo = 0
  let hi = breaks.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((breaks[mid] as number) <= i) lo = mid + 1
    else hi = mid
  }
  return i + lo
}

/** Source position just after view char `end - 1`, so line breaks that follow it stay outside a span. */
export function sourceEnd(view: FoldedView, end: number): number {
  if (!view.breaks || end === 0) return end
  return sourceStart(view, end - 1) + 1
}

/** Whether the byte at view position `i` continues a UTF-8 sequence. */
export function isContinuation(view: FoldedView, i: number): boolean {
  return ((view.bytes[i] as number) & 0xc0) === 0x80
}
