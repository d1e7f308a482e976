import { describe, expect, test } from 'vitest'
import { ArtifactsError } from './artifacts-error.js'
import { createRedactor } from './redactor.js'

const SECRET = 'p@ss w/ord+"é"'
const enc = (s: string): Buffer => Buffer.from(s, 'utf8')

function encodings(value: string): Record<string, string> {
  const b = enc(value)
  return {
    plain: value,
    base64: b.toString('base64'),
    base64url: b.toString('base64url'),
    url: encodeURIComponent(value),
    form: encodeURIComponent(value).replace(/%20/g, '+'),
    json: JSON.stringify(value).slice(1, -1),
    jsonAscii: JSON.stringify(value)
      .slice(1, -1)
      .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    hex: b.toString('hex'),
    HEX: b.toString('hex').toUpperCase(),
  }
}

describe('createRedactor', () => {
  test('declared secrets are replaced in plain form and in every encoding by a marker naming the secret', () => {
    const r = createRedactor({ secrets: { DB_PASSWORD: SECRET } })
    for (const [kind, form] of Object.entries(encodings(SECRET))) {
      const out = r.redactText(`before ${form} after`)
      expect(out, kind).toBe('before [REDACTED:DB_PASSWORD] after')
    }
  })

  test('a secret inside a larger base64 blob is removed at every byte alignment', () => {
    const r = createRedactor({ secrets: { TOKEN: 'correct-horse-battery' } })
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const blob = enc(`${prefix}correct-horse-battery, and more text`).toString('base64')
      const out = r.redactText(blob)
      expect(out).toContain('[REDACTED:TOKEN]')
      for (let o = 0; o < 3; o++) {
        const aligned = Buffer.concat([Buffer.alloc(o), enc('correct-horse-battery')]).toString('base64')
        expect(out).not.toContain(aligned.slice(4, 20))
      }
    }
  })

  test('short values are redacted as whole tokens only, leaving longer words intact', () => {
    const r = createRedactor({ secrets: { PIN: 'abc' } })
    expect(r.redactText('abcdef xabc abc_d')).toBe('abcdef xabc abc_d')
    expect(r.redactText('abc')).toBe('[REDACTED:PIN]')
    expect(r.redactText('pin=abc&next=1 "abc" (abc)')).toBe(
      'pin=[REDACTED:PIN]&next=1 "[REDACTED:PIN]" ([REDACTED:PIN])',
    )
    expect(r.redactText(`b64=${enc('abc').toString('base64')} hex=${enc('abc').toString('hex')}`)).toBe(
      'b64=[REDACTED:PIN] hex=[REDACTED:PIN]',
    )
    expect(r.summary().shortSecrets).toEqual(['PIN'])
  })

  test('undeclared credential shapes are redacted by kind', () => {
    const r = createRedactor()
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
    const cases: [string, string][] = [
      ['Authorization: Bearer abcdefghijklmnop1234', 'Authorization: Bearer [REDACTED:bearer-token]'],
      [`token ${jwt} end`, 'token [REDACTED:jwt] end'],
      ['key AKIAIOSFODNN7EXAMPLE', 'key [REDACTED:aws-access-key-id]'],
      [`gh ghp_${'a1B2'.repeat(9)}`, 'gh [REDACTED:github-token]'],
      [`openai sk-proj-${'x9'.repeat(16)}`, 'openai [REDACTED:api-key]'],
      ['slack xoxb-123456789012-abcdefABCDEF', 'slack [REDACTED:slack-token]'],
      ['db postgres://admin:s3cr3t@db.local/app', 'db postgres://admin:[REDACTED:url-password]@db.local/app'],
      [
        '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAAAA\n-----END RSA PRIVATE KEY-----\ntrailer',
        '[REDACTED:private-key]\ntrailer',
      ],
    ]
    for (const [input, expected] of cases) expect(r.redactText(input)).toBe(expected)
    expect(r.summary().byKind).toMatchObject({ jwt: 1, 'bearer-token': 1, 'private-key': 1, 'api-key': 1 })
  })

  test('ordinary prose is left alone by shape rules', () => {
    const r = createRedactor()
    const prose = 'Bearer tokens expire. Visit https://example.org/a:b and read sk-short or the AKIA docs.'
    expect(r.redactText(prose)).toBe(prose)
  })

  test('the summary counts by kind, secret and encoding and never contains a value', () => {
    const r = createRedactor({ secrets: { API_KEY: 'zebra-unicorn-42' } })
    r.redactText(`zebra-unicorn-42 ${enc('zebra-unicorn-42').toString('hex')}`)
    const summary = r.summary()
    expect(summary).toMatchObject({
      total: 2,
      byKind: { 'declared-secret': 2 },
      bySecret: { API_KEY: 2 },
      byEncoding: { plain: 1, hex: 1 },
    })
    expect(JSON.stringify(summary)).not.toContain('zebra')
  })

  test('bytes are redacted without decoding, preserving every other byte', () => {
    const r = createRedactor({ secrets: { K: 'binary-secret-1' } })
    const input = Buffer.concat([
      Buffer.from([0xff, 0x00, 0xfe]),
      enc('binary-secret-1'),
      Buffer.from([0x80, 0x81]),
    ])
    const out = Buffer.from(r.redactBytes(input))
    expect(out).toEqual(
      Buffer.concat([Buffer.from([0xff, 0x00, 0xfe]), enc('[REDACTED:K]'), Buffer.from([0x80, 0x81])]),
    )
  })

  test('JSON values are redacted deeply, keys and long numbers included', () => {
    const r = createRedactor({ secrets: { K: 'deep-secret-9', N: '1234567890123' } })
    const out = r.redactJson({ a: [{ 'deep-secret-9': 'x deep-secret-9' }], n: 1234567890123, ok: 7 })
    expect(out).toEqual({ a: [{ '[REDACTED:K]': 'x [REDACTED:K]' }], n: '[REDACTED:N]', ok: 7 })
  })

  test('a secret straddling a cut is dropped from both fragments', () => {
    const r = createRedactor({ secrets: { K: 'straddling-secret' } })
    const whole = enc('head text straddling-secret tail text')
    const cut = whole.indexOf('ling')
    const { head, tail, droppedBytes } = r.redactSplit(whole.subarray(0, cut), whole.subarray(cut))
    expect(Buffer.from(head).toString()).toBe('head text ')
    expect(Buffer.from(tail).toString()).toBe(' tail text')
    expect(droppedBytes).toBe('straddling-secret'.length)
  })

  test('invalid secret names are refused without echoing the value', () => {
    const r = createRedactor()
    let error: unknown
    try {
      r.addSecret('bad name!', 'value-that-must-not-leak')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ArtifactsError)
    expect((error as ArtifactsError).code).toBe('SECRET_NAME_INVALID')
    expect(JSON.stringify(error)).not.toContain('value-that-must-not-leak')
    expect(String((error as Error).message)).not.toContain('value-that-must-not-leak')
  })
})
