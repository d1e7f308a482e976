import type { FoldedView } from './folded-view.js'
import {
  caseVariants,
  encodedForms,
  MIN_SUBSTRING_SECRET_BYTES,
  SECRET_RUN_BYTES,
  type SecretEncoding,
  utf8Binary,
} from './secret-forms.js'

/** Where a declared secret was found, in positions of a {@link FoldedView}'s text. */
export interface SecretSpan {
  readonly start: number
  readonly end: number
  readonly name: string
  /** How it was written; `partial` for a run of the secret that is not one of its whole forms. */
  readonly encoding: SecretEncoding | 'partial'
}

/** Finds declared secrets in folded text; built once per set of secrets, used for every chunk. */
export interface SecretMatcher {
  /** True when no secret is declared (callers skip folding altogether). */
  readonly empty: boolean
  /** Longest form, in bytes: what a stream may need to hold back. */
  readonly maxFormLength: number
  /**
   * Every occurrence in `view.text`, sorted and merged (overlapping or touching occurrences become one span), each
   * widened to whole UTF-8 characters. `tokens: false` leaves out short secrets (the whole-token rule).
   */
  find(view: FoldedView, options?: { readonly tokens?: boolean }): SecretSpan[]
  /**
   * How many chars at the end of `text` could be the start of an occurrence that continues past it: the longest
   * suffix that is a proper prefix of a whole form, or a run of a secret shorter than {@link SECRET_RUN_BYTES}.
   */
  holdBack(text: string): number
  /** The mirror of {@link holdBack} for the start of `text`: what could be the end of an occurrence begun before it. */
  leadIn(text: string): number
}

interface FormInfo {
  readonly name: string
  readonly encoding: SecretEncoding
}

/** A whole form with its KMP failure tables, forwards and reversed, to find partial forms at the edges. */
interface EdgeForm {
  readonly form: string
  readonly fail: Int32Array
  readonly reversed: string
  readonly reversedFail: Int32Array
}

const WORD = 'A-Za-z0-9_'
const B64_WORD = 'A-Za-z0-9_+/-'
/** A module-local copy: hot loops must not read an import binding (transpilers turn those into getters). */
const RUN = SECRET_RUN_BYTES

/** Slots of the prefilter that says which windows may be a run (a bitmap of window hashes). */
const FILTER_SLOTS = 1 << 16
/**
 * A shift-xor hash of a window: each byte shifted by its distance from the window's end, so rolling it one byte on
 * is two shifts and two xors (bytes are 8 bits and windows 12, so the hash keeps 19 bits: a prefilter, not a key).
 */
const OUTGOING_SHIFT = RUN - 1

const filterSlot = (h: number): number => (h ^ (h >>> 13)) & (FILTER_SLOTS - 1)

function windowHash(bytes: Uint8Array, from: number): number {
  let h = 0
  for (let j = 0; j < RUN; j++) h = (h << 1) ^ (bytes[from + j] as number)
  return h
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}

function alternation(forms: readonly string[]): string {
  return [...forms]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|')
}

function failureTable(form: string): Int32Array {
  const fail = new Int32Array(form.length)
  let k = 0
  for (let i = 1; i < form.length; i++) {
    while (k > 0 && form[i] !== form[k]) k = fail[k - 1] as number
    if (form[i] === form[k]) k++
    fail[i] = k
  }
  return fail
}

/** Length of the longest prefix of `form` that ends `text` (scanning only the window it could live in). */
function suffixPrefix(text: string, form: string, fail: Int32Array): number {
  let k = 0
  for (let i = Math.max(0, text.length - form.length + 1); i < text.length; i++) {
    while (k > 0 && text[i] !== form[k]) k = fail[k - 1] as number
    if (text[i] === form[k]) k++
    if (k === form.length) k = fail[k - 1] as number
  }
  return k
}

const reverse = (s: string): string => s.split('').reverse().join('')

/** The byte at view position `i` (folding changes ASCII letters only, so UTF-8 structure is the source's). */
const sourceByte = (view: FoldedView, i: number): number => view.bytes[i] as number

/** A binary string as a {@link FoldedView} reads it: ASCII letters in lower case, line breaks left out. */
const foldAscii = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase()).replace(/[\r\n]+/g, '')

const isContinuationByte = (b: number): boolean => (b & 0xc0) === 0x80
const sequenceLength = (lead: number): number => (lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1)

/** Moves a span's start back to the lead byte of a UTF-8 character it cuts into (a run may start mid-character). */
function widenStart(view: FoldedView, start: number): number {
  if (start === 0 || !isContinuationByte(sourceByte(view, start))) return start
  for (let p = start - 1; p >= Math.max(0, start - 3); p--) {
    const b = sourceByte(view, p)
    if (isContinuationByte(b)) continue
    return p + sequenceLength(b) > start ? p : start
  }
  return start
}

/** Moves a span's end past the rest of a UTF-8 character it cuts into; binary bytes after it stay outside. */
function widenEnd(view: FoldedView, end: number): number {
  const length = view.text.length
  for (let p = end - 1; p >= Math.max(0, end - 3); p--) {
    const b = sourceByte(view, p)
    if (isContinuationByte(b)) continue
    let widened = end
    while (
      widened < Math.min(length, p + sequenceLength(b)) &&
      isContinuationByte(sourceByte(view, widened))
    ) {
      widened++
    }
    return widened
  }
  return end
}

/** Compiles a matcher for `secrets` (name → value). */
export function compileSecretMatcher(secrets: ReadonlyMap<string, string>): SecretMatcher {
  const forms = new Map<string, FormInfo>()
  const long: string[] = []
  const shortWord: string[] = []
  const shortB64: string[] = []
  const runForms: string[] = []
  const grams = new Map<string, string>()
  const filter = new Uint8Array(FILTER_SLOTS)
  let maxFormLength = 0

  for (const [name, value] of secrets) {
    const short = Buffer.byteLength(value, 'utf8') < MIN_SUBSTRING_SECRET_BYTES
    for (const { form, encoding } of encodedForms(value)) {
      const folded = foldAscii(form)
      if (folded.length === 0 || forms.has(folded)) continue
      forms.set(folded, { name, encoding })
      maxFormLength = Math.max(maxFormLength, folded.length)
      if (!short) long.push(folded)
      else if (encoding === 'base64' || encoding === 'base64url') shortB64.push(folded)
      else shortWord.push(folded)
    }
    for (const variant of caseVariants(value)) {
      const run = foldAscii(utf8Binary(variant))
      if (run.length === 0 || runForms.includes(run)) continue
      runForms.push(run)
      const bytes = Buffer.from(run, 'latin1')
      for (let i = 0; i + RUN <= run.length; i++) {
        const gram = run.slice(i, i + RUN)
        if (!grams.has(gram)) grams.set(gram, name)
        filter[filterSlot(windowHash(bytes, i))] = 1
      }
    }
  }
  // A partial plain form at an edge is a run fragment (see holdBack); only the other forms need their own search.
  const edgeForms: EdgeForm[] = [...forms.keys()]
    .filter((form) => !runForms.some((run) => run.includes(form)))
    .map((form) => {
      const reversed = reverse(form)
      return { form, fail: failureTable(form), reversed, reversedFail: failureTable(reversed) }
    })
  const longRe = long.length > 0 ? new RegExp(alternation(long), 'g') : null
  const shortWordRe =
    shortWord.length > 0 ? new RegExp(`(?<![${WORD}])(?:${alternation(shortWord)})(?![${WORD}])`, 'g') : null
  const shortB64Re =
    shortB64.length > 0
      ? new RegExp(`(?<![${B64_WORD}])(?:${alternation(shortB64)})(?![${B64_WORD}=])`, 'g')
      : null

  const collect = (re: RegExp | null, text: string, into: SecretSpan[]): void => {
    if (!re) return
    re.lastIndex = 0
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const info = forms.get(m[0]) as FormInfo
      into.push({ start: m.index, end: m.index + m[0].length, ...info })
    }
  }

  /** Marks every window of RUN bytes that is a run of a secret; overlapping windows join. */
  const collectRuns = (view: FoldedView, into: SecretSpan[]): void => {
    const { bytes, text } = view
    const n = bytes.length
    if (grams.size === 0 || n < RUN) return
    let h = windowHash(bytes, 0)
    let open: { start: number; end: number; name: string } | null = null
    for (let i = 0; ; i++) {
      if (filter[filterSlot(h)] === 1) {
        const name = grams.get(text.substr(i, RUN))
        if (name !== undefined) {
          if (open && i <= open.end) open.end = i + RUN
          else {
            if (open) into.push({ ...open, encoding: 'partial' })
            open = { start: i, end: i + RUN, name }
          }
        }
      }
      if (i + RUN >= n) break
      h = ((h ^ ((bytes[i] as number) << OUTGOING_SHIFT)) << 1) ^ (bytes[i + RUN] as number)
    }
    if (open) into.push({ ...open, encoding: 'partial' })
  }

  /** Whether `piece` occurs in a secret's own characters (any case variant). */
  const isRunFragment = (piece: string): boolean => runForms.some((run) => run.includes(piece))

  return {
    empty: secrets.size === 0,
    maxFormLength,
    find(view, options = {}) {
      const { text } = view
      const found: SecretSpan[] = []
      collect(longRe, text, found)
      if (options.tokens !== false) {
        collect(shortWordRe, text, found)
        collect(shortB64Re, text, found)
      }
      collectRuns(view, found)
      if (found.length === 0) return found
      // Whole forms first where spans start together, so a span is named after its best description.
      found.sort((a, b) => a.start - b.start || b.end - a.end || (a.encoding === 'partial' ? 1 : -1))
      const merged: SecretSpan[] = []
      for (const span of found) {
        const last = merged[merged.length - 1]
        if (last && span.start <= last.end) {
          if (span.end > last.end) merged[merged.length - 1] = { ...last, end: span.end }
        } else merged.push(span)
      }
      return merged.map((span) => {
        const start = widenStart(view, span.start)
        const end = widenEnd(view, span.end)
        return start === span.start && end === span.end ? span : { ...span, start, end }
      })
    },
    holdBack(text) {
      let best = 0
      const most = Math.min(RUN - 1, text.length)
      // A fragment of a run is a fragment of every shorter suffix too, so the first miss ends the search.
      for (let k = 1; k <= most && isRunFragment(text.slice(text.length - k)); k++) best = k
      for (const edge of edgeForms) best = Math.max(best, suffixPrefix(text, edge.form, edge.fail))
      return best
    },
    leadIn(text) {
      let best = 0
      const most = Math.min(RUN - 1, text.length)
      for (let k = 1; k <= most && isRunFragment(text.slice(0, k)); k++) best = k
      if (edgeForms.length === 0) return best
      const head = reverse(text.slice(0, maxFormLength))
      for (const edge of edgeForms)
        best = Math.max(best, suffixPrefix(head, edge.reversed, edge.reversedFail))
      return best
    },
  }
}
