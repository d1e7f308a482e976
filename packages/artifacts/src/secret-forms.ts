/**
 * Declared values of at least this many UTF-8 bytes are redacted wherever they occur, as substrings.
 * Shorter values follow the whole-token rule (see README "Redaction guarantees").
 */
export const MIN_SUBSTRING_SECRET_BYTES = 8

/**
 * Any run of at least this many consecutive bytes of a declared value (compared case-insensitively, line breaks
 * ignored) is redacted, so a secret printed in part, cut over lines or re-cased does not survive.
 */
export const SECRET_RUN_BYTES = 12

/** How a declared value was written where it was found. */
export type SecretEncoding = 'plain' | 'base64' | 'base64url' | 'url' | 'json' | 'hex'

/** One written form of a declared value, as a binary string (one char per UTF-8 byte). */
export interface SecretForm {
  readonly form: string
  readonly encoding: SecretEncoding
}

/** Each byte maps to one UTF-16 unit, so matching over this form is byte-exact. */
export const utf8Binary = (s: string): string => Buffer.from(s, 'utf8').toString('latin1')

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
    const first = Math.ceil((offset * 8) / 6)
    const last = Math.floor(((offset + bytes.length) * 8) / 6) // exclusive
    if (last - first >= MIN_SUBSTRING_SECRET_BYTES) cores.push(encoded.slice(first, last))
  }
  return cores
}

/**
 * The value as a person would re-case it: as declared, and in Unicode upper and lower case (`ß` → `SS`, `é` → `É`).
 * ASCII letters are folded by the matcher anyway; these variants cover the other scripts.
 */
export function caseVariants(value: string): string[] {
  return [...new Set([value, value.toUpperCase(), value.toLowerCase()])]
}

/**
 * All written forms of a value (plain in each case variant, JSON-escaped, URL-encoded, hex, base64, base64url and
 * the base64 characters that survive embedding in a larger blob), as binary strings of their UTF-8 bytes.
 * Forms differing only in ASCII case are listed once or more; the matcher folds case, so either is enough.
 */
export function encodedForms(value: string): SecretForm[] {
  const bytes = Buffer.from(value, 'utf8')
  const out: SecretForm[] = []
  const add = (encoding: SecretEncoding, form: string): void => {
    if (form.length > 0) out.push({ form: utf8Binary(form), encoding })
  }
  for (const variant of caseVariants(value)) add('plain', variant)
  const json = JSON.stringify(value).slice(1, -1)
  const jsonAscii = json.replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
  for (const j of [json, jsonAscii]) {
    add('json', j)
    add('json', j.replace(/\//g, '\\/'))
  }
  for (const strict of [false, true]) {
    const enc = percentEncode(value, strict)
    add('url', enc)
    add('url', enc.replace(/%20/g, '+'))
  }
  add('hex', bytes.toString('hex'))
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
