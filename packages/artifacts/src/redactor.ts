import { ArtifactsError } from './artifacts-error.js'
import { marker, redactShapes } from './credential-shapes.js'
import { type FoldedView, foldView, isContinuation, sourceEnd, sourceStart } from './folded-view.js'
import type { RedactionSummary } from './schemas.js'
import { MIN_SUBSTRING_SECRET_BYTES, SECRET_RUN_BYTES, utf8Binary } from './secret-forms.js'
import { compileSecretMatcher, type SecretMatcher, type SecretSpan } from './secret-matcher.js'

/** Options for {@link createRedactor}. */
export interface RedactorOptions {
  /** Secrets to declare up front, by name. Default: none. */
  secrets?: Record<string, string>
  /** Redact common credential shapes (JWTs, bearer tokens, cloud keys…) even when undeclared. Default `true`. */
  detectShapes?: boolean
}

/** A fragment pair cut out of a longer stream: the head and the tail, with the middle omitted. */
export interface RedactedSplit {
  readonly head: Uint8Array
  readonly tail: Uint8Array
  /** Bytes dropped at the inner edges because they could be part of a secret straddling the cut. */
  readonly droppedBytes: number
}

/**
 * Redacts a text that arrives in chunks (a command's output) as if it were redacted whole: the end of each chunk
 * that could begin a declared secret is held back and redacted together with the next chunk.
 */
export interface RedactionStream {
  /** Redacts `chunk` and returns what is safe to pass on now (possibly `''`); the rest is held back. */
  push(chunk: string): string
  /** Returns the redacted text still held back; the stream is empty afterwards. */
  flush(): string
}

/**
 * Replaces declared secret values (in any letter case, broken over lines, in part, and as base64, base64url,
 * URL-encoded, JSON-escaped and hex) and common credential shapes with markers such as `[REDACTED:DB_PASSWORD]` or
 * `[REDACTED:jwt]`. A marker names the secret, never its value; the summary counts matches and never holds a value.
 */
export interface Redactor {
  /** Declares a secret. Empty values are ignored. Names must match `/^[A-Za-z0-9_.-]{1,128}$/`. */
  addSecret(name: string, value: string): void
  /** Redacts a string. */
  redactText(text: string): string
  /** Redacts bytes without decoding them: binary-safe, every encoding is matched as a byte sequence. */
  redactBytes(bytes: Uint8Array): Uint8Array
  /**
   * Deep-redacts a JSON value: every string (keys included) is redacted; a number whose decimal form contains a
   * declared value of at least {@link MIN_SUBSTRING_SECRET_BYTES} bytes becomes a marker string.
   */
  redactJson<T>(value: T): T
  /**
   * Redacts the head and the tail of a stream whose middle was dropped (see `BoundedBuffer`). Bytes at the inner
   * edges that could be the start (head) or the end (tail) of a declared secret are dropped, so a secret
   * straddling a cut never survives in part.
   */
  redactSplit(head: Uint8Array, tail: Uint8Array): RedactedSplit
  /** A stream for text that arrives in chunks; secrets split between chunks are redacted as if joined. */
  stream(): RedactionStream
  /** Counts so far, by kind, by secret name and by encoding. */
  summary(): RedactionSummary
  /** Names of the declared secrets. */
  readonly secretNames: readonly string[]
}

const NAME_RE = /^[A-Za-z0-9_.-]{1,128}$/

const toBinary = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')
const fromBinary = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'))
const binaryToText = (s: string): string => Buffer.from(s, 'latin1').toString('utf8')

function emptyCounts(): {
  total: number
  byKind: Map<string, number>
  bySecret: Map<string, number>
  byEncoding: Map<string, number>
} {
  return { total: 0, byKind: new Map(), bySecret: new Map(), byEncoding: new Map() }
}

const bump = (m: Map<string, number>, k: string): void => {
  m.set(k, (m.get(k) ?? 0) + 1)
}

const sortedRecord = (m: Map<string, number>): Record<string, number> =>
  Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/**
 * Where to cut the end of `view` so nothing after the cut could belong to an occurrence that goes on past the end:
 * before any partial form or short run at the end (`matcher.holdBack`), on a character boundary, and before any
 * span that reaches the end or crosses the cut. A position in the view's text.
 */
function openEndCut(matcher: SecretMatcher, view: FoldedView, spans: readonly SecretSpan[]): number {
  const length = view.text.length
  let cut = length - matcher.holdBack(view.text)
  // Keep a UTF-8 character whole (at most three continuation bytes; anything longer is binary, cut anywhere).
  for (let i = 0; i < 3 && cut > 0 && cut < length && isContinuation(view, cut); i++) cut--
  for (let i = spans.length - 1; i >= 0; i--) {
    const span = spans[i] as SecretSpan
    if (span.end > cut || span.end === length) cut = Math.min(cut, span.start)
    else break
  }
  return cut
}

/** The source position of view position `cut`, keeping line breaks before it on the near side. */
const sourceCut = (view: FoldedView, cut: number): number =>
  cut >= view.text.length ? view.source.length : sourceEnd(view, cut)

/** The mirror of {@link openEndCut} for the start of a fragment whose beginning was cut away. */
function openStartCut(matcher: SecretMatcher, view: FoldedView, spans: readonly SecretSpan[]): number {
  const length = view.text.length
  let lead = matcher.leadIn(view.text)
  for (let i = 0; i < 3 && lead < length && isContinuation(view, lead); i++) lead++
  for (const span of spans) {
    if (span.start < lead || span.start === 0) lead = Math.max(lead, span.end)
    else break
  }
  return lead
}

/**
 * Creates a redaction engine. See the README section "Redaction guarantees" for the exact rules.
 *
 * @example
 * const r = createRedactor({ secrets: { DB_PASSWORD: 'hunter2-hunter2' } })
 * r.redactText('pw=HUNTER2-hunter2') // 'pw=[REDACTED:DB_PASSWORD]'
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const detectShapes = options.detectShapes ?? true
  const secrets = new Map<string, string>()
  const shortNames = new Set<string>()
  const counts = emptyCounts()
  let matcher = compileSecretMatcher(secrets)

  const countSpan = (span: SecretSpan): string => {
    counts.total++
    bump(counts.byKind, 'declared-secret')
    bump(counts.bySecret, span.name)
    bump(counts.byEncoding, span.encoding)
    return marker(span.name)
  }
  const countShape = (kind: string): void => {
    counts.total++
    bump(counts.byKind, kind)
  }

  /** `view.source` between source positions `from` and `to` with the spans inside it replaced by markers. */
  const replaceSpans = (view: FoldedView, spans: readonly SecretSpan[], from: number, to: number): string => {
    let out = ''
    let at = from
    for (const span of spans) {
      const start = sourceStart(view, span.start)
      const end = sourceEnd(view, span.end)
      if (start < from || end > to) continue
      out += view.source.slice(at, start) + countSpan(span)
      at = end
    }
    return out + view.source.slice(at, to)
  }

  const shapes = (s: string): string => (detectShapes ? redactShapes(s, countShape) : s)

  /** Redacts a binary string (one char per byte). */
  const redactBinary = (source: string, bytes?: Uint8Array): string => {
    if (matcher.empty || source.length === 0) return shapes(source)
    const view = foldView(source, bytes)
    const spans = matcher.find(view)
    return shapes(spans.length === 0 ? source : replaceSpans(view, spans, 0, source.length))
  }

  const redactText = (text: string): string => {
    if (text.length === 0) return text
    const bytes = Buffer.from(text, 'utf8')
    return binaryToText(redactBinary(bytes.toString('latin1'), bytes))
  }

  /** Numbers follow the substring rules only: a short secret must not turn every matching count into a marker. */
  const redactNumber = (n: number | boolean): unknown => {
    if (matcher.empty) return n
    const s = String(n)
    return matcher.find(foldView(s), { tokens: false }).length === 0 ? n : redactText(s)
  }

  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return redactText(value)
    if (typeof value === 'number' || typeof value === 'boolean') return redactNumber(value)
    if (Array.isArray(value)) return value.map(walk)
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[redactText(k)] = walk(v)
      return out
    }
    return value
  }

  /** The most a stream holds back: beyond it an endless run of secrets is redacted as it comes. */
  const maxHold = (): number => 4 * Math.max(matcher.maxFormLength, SECRET_RUN_BYTES) + 64

  const stream = (): RedactionStream => {
    let held = ''
    return {
      push(chunk) {
        const source = held + utf8Binary(chunk)
        held = ''
        if (matcher.empty || source.length === 0) return binaryToText(shapes(source))
        const view = foldView(source)
        const spans = matcher.find(view)
        const cut = openEndCut(matcher, view, spans)
        const at = view.text.length - cut > maxHold() ? source.length : sourceCut(view, cut)
        held = source.slice(at)
        return binaryToText(shapes(replaceSpans(view, spans, 0, at)))
      },
      flush() {
        const rest = held
        held = ''
        return rest.length === 0 ? '' : binaryToText(redactBinary(rest))
      },
    }
  }

  const redactSplit = (head: Uint8Array, tail: Uint8Array): RedactedSplit => {
    const h = toBinary(head)
    const t = toBinary(tail)
    if (matcher.empty) return { head: fromBinary(shapes(h)), tail: fromBinary(shapes(t)), droppedBytes: 0 }
    const hv = foldView(h, head)
    const hSpans = matcher.find(hv)
    const headEnd = sourceCut(hv, openEndCut(matcher, hv, hSpans))
    const tv = foldView(t, tail)
    const tSpans = matcher.find(tv)
    const lead = openStartCut(matcher, tv, tSpans)
    const tailStart = lead === 0 ? 0 : sourceEnd(tv, lead)
    return {
      head: fromBinary(shapes(replaceSpans(hv, hSpans, 0, headEnd))),
      tail: fromBinary(shapes(replaceSpans(tv, tSpans, tailStart, t.length))),
      droppedBytes: h.length - headEnd + tailStart,
    }
  }

  const redactor: Redactor = {
    addSecret(name, value) {
      if (!NAME_RE.test(name)) {
        throw new ArtifactsError(
          'SECRET_NAME_INVALID',
          'Secret names must match /^[A-Za-z0-9_.-]{1,128}$/.',
          {
            details: { nameLength: name.length },
          },
        )
      }
      if (value.length === 0) return
      secrets.set(name, value)
      if (Buffer.byteLength(value, 'utf8') < MIN_SUBSTRING_SECRET_BYTES) shortNames.add(name)
      else shortNames.delete(name)
      matcher = compileSecretMatcher(secrets)
    },
    redactText,
    redactBytes(bytes) {
      if (bytes.byteLength === 0) return new Uint8Array(0)
      return fromBinary(redactBinary(toBinary(bytes), bytes))
    },
    redactJson<T>(value: T): T {
      if (value === undefined) return value
      return walk(JSON.parse(JSON.stringify(value))) as T
    },
    redactSplit,
    stream,
    summary() {
      return {
        total: counts.total,
        byKind: sortedRecord(counts.byKind),
        bySecret: sortedRecord(counts.bySecret),
        byEncoding: sortedRecord(counts.byEncoding),
        secretsDeclared: secrets.size,
        shortSecrets: [...shortNames].sort(),
      }
    },
    get secretNames() {
      return [...secrets.keys()]
    },
  }
  for (const [name, value] of Object.entries(options.secrets ?? {})) redactor.addSecret(name, value)
  return redactor
}
