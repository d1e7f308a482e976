import { ArtifactsError } from './artifacts-error.js'
import type { RedactionSummary } from './schemas.js'

/**
 * Declared values of at least this many UTF-8 bytes are redacted wherever they occur, as substrings.
 * Shorter values follow the whole-token rule (see README "Redaction guarantees").
 */
export const MIN_SUBSTRING_SECRET_BYTES = 8

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
 * Replaces declared secret values (in plain form and as base64, base64url, URL-encoded, JSON-escaped and hex) and
 * common credential shapes with markers such as `[REDACTED:DB_PASSWORD]` or `[REDACTED:jwt]`.
 * A marker names the secret, never its value; the summary counts matches and never holds a value.
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
   * edges that could be the start (head) or the end (tail) of a declared secret are dropped first, so a secret
   * straddling a cut never survives in part.
   */
  redactSplit(head: Uint8Array, tail: Uint8Array): RedactedSplit
  /** Counts so far, by kind, by secret name and by encoding. */
  summary(): RedactionSummary
  /** Names of the declared secrets. */
  readonly secretNames: readonly string[]
}

type Encoding = 'plain' | 'base64' | 'base64url' | 'url' | 'json' | 'hex'

interface Pattern {
  readonly name: string
  readonly encoding: Encoding
}

interface ShapeRule {
  readonly kind: string
  readonly re: RegExp
  /** Replacement builder; receives the match and groups. */
  readonly replace: (match: string, ...groups: string[]) => string
}

const NAME_RE = /^[A-Za-z0-9_.-]{1,128}$/
const WORD = 'A-Za-z0-9_'
const B64_WORD = 'A-Za-z0-9_+/-'

const marker = (label: string): string => `[REDACTED:${label}]`

function shape(kind: string, re: RegExp, keep?: (groups: string[]) => [string, string]): ShapeRule {
  return {
    kind,
    re,
    replace: (_m, ...groups) => {
      if (!keep) return marker(kind)
      const [before, after] = keep(groups)
      return `${before}${marker(kind)}${after}`
    },
  }
}

/** Rules for undeclared credential shapes, applied in order (all patterns are ASCII, so bytes and text agree). */
const SHAPES: readonly ShapeRule[] = [
  shape('private-key', /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g),
  // A lone END line means the start of the block was cut away (truncation): drop everything up to it.
  shape('private-key', /^[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g),
  shape('jwt', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?/g),
  shape('bearer-token', /\b([Bb]earer|BEARER)(\s+)[A-Za-z0-9._~+/-]{16,}=*/g, (g) => [`${g[0]}${g[1]}`, '']),
  shape('basic-auth', /\b(Authorization\s*:\s*Basic\s+)[A-Za-z0-9+/]{8,}=*/gi, (g) => [g[0] ?? '', '']),
  shape('github-token', /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})/g),
  shape('aws-access-key-id', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g),
  shape(
    'aws-secret-access-key',
    /\b(aws_secret_access_key|AWS_SECRET_ACCESS_KEY|SecretAccessKey)("?\s*[=:]\s*"?)[A-Za-z0-9/+=]{40}/g,
    (g) => [`${g[0]}${g[1]}`, ''],
  ),
  shape('slack-token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/g),
  shape('api-key', /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g),
  shape('api-key', /\bsk-[A-Za-z0-9_-]{20,}/g),
  shape('api-key', /\bAIza[0-9A-Za-z_-]{35}/g),
  shape('url-password', /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s:@/?#[\]]+:)[^\s@/?#[\]]+(@)/g, (g) => [
    g[0] ?? '',
    g[1] ?? '',
  ]),
]

/** Each byte maps to one UTF-16 unit, so regexes over this form are byte-exact. */
const toBinary = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')
const fromBinary = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'))
const utf8Binary = (s: string): string => Buffer.from(s, 'utf8').toString('latin1')

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}

function percentEncode(value: string, strict: boolean): string {
  const base = encodeURIComponent(value)
  return strict ? base.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : base
}

/** Base64 characters that depend only on the secret's bytes when it sits at byte offset `offset` in a larger blob. */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = []
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes])
    const encoded = padded.toString('base64').replace(/=+$/, '')
    const startBit = offset * 8
    const endBit = (offset + bytes.length) * 8
    const first = Math.ceil(startBit / 6)
    const last = Math.floor(endBit / 6) // exclusive
    if (last - first >= MIN_SUBSTRING_SECRET_BYTES) cores.push(encoded.slice(first, last))
  }
  return cores
}

/** All encoded forms of a value, as binary strings of their UTF-8 bytes, longest first within an encoding. */
export function encodedForms(value: string): { form: string; encoding: Encoding }[] {
  const bytes = Buffer.from(value, 'utf8')
  const out: { form: string; encoding: Encoding }[] = []
  const add = (encoding: Encoding, form: string): void => {
    if (form.length > 0) out.push({ form: utf8Binary(form), encoding })
  }
  add('plain', value)
  const json = JSON.stringify(value).slice(1, -1)
  const jsonAscii = json.replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
  for (const j of [
    json,
    jsonAscii,
    jsonAscii.replace(/\\u[0-9a-f]{4}/g, (u) => `\\u${u.slice(2).toUpperCase()}`),
  ]) {
    add('json', j)
    add('json', j.replace(/\//g, '\\/'))
  }
  for (const strict of [false, true]) {
    const enc = percentEncode(value, strict)
    for (const v of [enc, enc.replace(/%[0-9A-F]{2}/g, (p) => p.toLowerCase())]) {
      add('url', v)
      add('url', v.replace(/%20/g, '+'))
    }
  }
  add('hex', bytes.toString('hex'))
  add('hex', bytes.toString('hex').toUpperCase())
  const b64 = bytes.toString('base64')
  add('base64', b64)
  add('base64', b64.replace(/=+$/, ''))
  const b64url = bytes.toString('base64url')
  add('base64url', `${b64url}${'='.repeat((4 - (b64url.length % 4)) % 4)}`)
  add('base64url', b64url)
  if (bytes.length >= MIN_SUBSTRING_SECRET_BYTES) {
    for (const core of base64Cores(bytes)) {
      add('base64', core)
      add('base64url', core.replace(/\+/g, '-').replace(/\//g, '_'))
    }
  }
  return out
}

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
 * Creates a redaction engine. See the README section "Redaction guarantees" for the exact rules.
 *
 * @example
 * const r = createRedactor({ secrets: { DB_PASSWORD: 'hunter2-hunter2' } })
 * r.redactText('pw=hunter2-hunter2') // 'pw=[REDACTED:DB_PASSWORD]'
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const detectShapes = options.detectShapes ?? true
  const secrets = new Map<string, string>()
  const patterns = new Map<string, Pattern>()
  const shortNames = new Set<string>()
  const counts = emptyCounts()
  let longRe: RegExp | null = null
  let shortWordRe: RegExp | null = null
  let shortB64Re: RegExp | null = null
  let longForms: string[] = []
  let maxFormLength = 0

  const rebuild = (): void => {
    const long: string[] = []
    const shortWord: string[] = []
    const shortB64: string[] = []
    patterns.clear()
    shortNames.clear()
    maxFormLength = 0
    for (const [name, value] of secrets) {
      const isShort = Buffer.byteLength(value, 'utf8') < MIN_SUBSTRING_SECRET_BYTES
      if (isShort) shortNames.add(name)
      for (const { form, encoding } of encodedForms(value)) {
        if (patterns.has(form)) continue
        patterns.set(form, { name, encoding })
        maxFormLength = Math.max(maxFormLength, form.length)
        if (!isShort) long.push(form)
        else if (encoding === 'base64' || encoding === 'base64url') shortB64.push(form)
        else shortWord.push(form)
      }
    }
    const alt = (forms: string[]): string =>
      [...forms]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|')
    longForms = long
    longRe = long.length > 0 ? new RegExp(alt(long), 'g') : null
    shortWordRe =
      shortWord.length > 0 ? new RegExp(`(?<![${WORD}])(?:${alt(shortWord)})(?![${WORD}])`, 'g') : null
    shortB64Re =
      shortB64.length > 0 ? new RegExp(`(?<![${B64_WORD}])(?:${alt(shortB64)})(?![${B64_WORD}=])`, 'g') : null
  }

  const onSecret = (form: string): string => {
    const p = patterns.get(form)
    if (!p) return marker('secret')
    counts.total++
    bump(counts.byKind, 'declared-secret')
    bump(counts.bySecret, p.name)
    bump(counts.byEncoding, p.encoding)
    return marker(p.name)
  }

  /** Redacts a binary string (one char per byte). */
  const redactBinary = (input: string): string => {
    let s = input
    if (longRe) s = s.replace(longRe, onSecret)
    if (shortWordRe) s = s.replace(shortWordRe, onSecret)
    if (shortB64Re) s = s.replace(shortB64Re, onSecret)
    if (detectShapes) {
      for (const rule of SHAPES) {
        rule.re.lastIndex = 0
        s = s.replace(rule.re, (m: string, ...rest: unknown[]) => {
          counts.total++
          bump(counts.byKind, rule.kind)
          const groups = rest.slice(0, -2).map((g) => (typeof g === 'string' ? g : ''))
          return rule.replace(m, ...groups)
        })
      }
    }
    return s
  }

  const redactText = (text: string): string => {
    if (text.length === 0) return text
    return Buffer.from(redactBinary(utf8Binary(text)), 'latin1').toString('utf8')
  }

  const longNumberMatch = (n: number | boolean): boolean => {
    if (longForms.length === 0) return false
    const s = String(n)
    return longForms.some((f) => s.includes(f))
  }

  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return redactText(value)
    if (typeof value === 'number' || typeof value === 'boolean') {
      return longNumberMatch(value) ? redactText(String(value)) : value
    }
    if (Array.isArray(value)) return value.map(walk)
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[redactText(k)] = walk(v)
      return out
    }
    return value
  }

  /** Length of the longest suffix of `s` that is a proper prefix of a declared form (or the reverse). */
  const straddle = (s: string, atEnd: boolean): number => {
    let best = 0
    for (const form of patterns.keys()) {
      const maxK = Math.min(form.length - 1, s.length)
      for (let k = maxK; k > best; k--) {
        const piece = atEnd ? s.slice(s.length - k) : s.slice(0, k)
        const part = atEnd ? form.slice(0, k) : form.slice(form.length - k)
        if (piece === part) {
          best = k
          break
        }
      }
    }
    return best
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
      rebuild()
    },
    redactText,
    redactBytes(bytes) {
      if (bytes.byteLength === 0) return new Uint8Array(0)
      return fromBinary(redactBinary(toBinary(bytes)))
    },
    redactJson<T>(value: T): T {
      if (value === undefined) return value
      return walk(JSON.parse(JSON.stringify(value))) as T
    },
    redactSplit(head, tail) {
      let h = toBinary(head)
      let t = toBinary(tail)
      const dropHead = maxFormLength > 0 ? straddle(h, true) : 0
      const dropTail = maxFormLength > 0 ? straddle(t, false) : 0
      h = h.slice(0, h.length - dropHead)
      t = t.slice(dropTail)
      return {
        head: fromBinary(redactBinary(h)),
        tail: fromBinary(redactBinary(t)),
        droppedBytes: dropHead + dropTail,
      }
    },
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
