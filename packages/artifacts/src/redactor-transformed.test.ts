import { describe, expect, test } from 'vitest'
import { createRedactor } from './redactor.js'

/** A 36-character connector token, like the one the issue printed from PHP. */
const TOKEN = 'cbx_live_9fQ2rT7vXk4mLp8sWz3nYb6dHj1'
const enc = (s: string): Buffer => Buffer.from(s, 'utf8')

describe('createRedactor: transformed secrets', () => {
  test('an upper-cased secret is redacted', () => {
    const r = createRedactor({ secrets: { CONNECTOR_TOKEN: TOKEN } })
    expect(r.redactText(`token=${TOKEN.toUpperCase()};`)).toBe('token=[REDACTED:CONNECTOR_TOKEN];')
    expect(r.redactText(`token=${TOKEN.toLowerCase()};`)).toBe('token=[REDACTED:CONNECTOR_TOKEN];')
  })

  test('a short secret upper-cased is redacted as a whole token', () => {
    const r = createRedactor({ secrets: { PIN: 'k3y9z' } })
    expect(r.redactText('pin=K3Y9Z&next=1')).toBe('pin=[REDACTED:PIN]&next=1')
    expect(r.redactText('K3Y9ZZ stays')).toBe('K3Y9ZZ stays')
  })

  test('the 33-character tail of a 36-character token printed on its own line is redacted', () => {
    const r = createRedactor({ secrets: { CONNECTOR_TOKEN: TOKEN } })
    const out = r.redactText(`head: ${TOKEN.slice(0, 3)}\nsomething else\ntail: ${TOKEN.slice(3)}\n`)
    expect(out).not.toContain(TOKEN.slice(3))
    expect(out).toContain('tail: [REDACTED:CONNECTOR_TOKEN]')
  })

  test('a secret split by a line break anywhere is redacted as a whole', () => {
    const r = createRedactor({ secrets: { CONNECTOR_TOKEN: TOKEN } })
    for (let cut = 1; cut < TOKEN.length; cut++) {
      for (const br of ['\n', '\r\n']) {
        const out = r.redactText(`a ${TOKEN.slice(0, cut)}${br}${TOKEN.slice(cut)} b`)
        expect(out, `cut at ${cut}`).toBe('a [REDACTED:CONNECTOR_TOKEN] b')
      }
    }
  })

  test('any run of 12 consecutive characters of a secret is redacted, in any case', () => {
    const r = createRedactor({ secrets: { CONNECTOR_TOKEN: TOKEN } })
    for (let start = 0; start + 12 <= TOKEN.length; start++) {
      const run = TOKEN.slice(start, start + 12)
      expect(r.redactText(`<${run}>`), run).toBe('<[REDACTED:CONNECTOR_TOKEN]>')
      expect(r.redactText(`<${run.toUpperCase()}>`), run).toBe('<[REDACTED:CONNECTOR_TOKEN]>')
    }
    // Eleven characters are below the guarantee and ordinary text stays readable.
    expect(r.redactText(`<${TOKEN.slice(5, 16)}>`)).toBe(`<${TOKEN.slice(5, 16)}>`)
  })

  test('encodings are matched case-insensitively and across line breaks', () => {
    const r = createRedactor({ secrets: { CONNECTOR_TOKEN: TOKEN } })
    const b64 = enc(TOKEN).toString('base64')
    const url = encodeURIComponent(`${TOKEN}/é`)
    const r2 = createRedactor({ secrets: { K: `${TOKEN}/é` } })
    expect(r.redactText(`x ${b64.toUpperCase()} y`)).toBe('x [REDACTED:CONNECTOR_TOKEN] y')
    expect(r.redactText(`x ${b64.slice(0, 20)}\n${b64.slice(20)} y`)).toBe('x [REDACTED:CONNECTOR_TOKEN] y')
    expect(r2.redactText(`x ${url.toLowerCase()} y`)).toBe('x [REDACTED:K] y')
    const hex = enc(TOKEN).toString('hex')
    const mixed = [...hex].map((c, i) => (i % 3 === 0 ? c.toUpperCase() : c)).join('')
    expect(r.redactText(`x ${mixed} y`)).toBe('x [REDACTED:CONNECTOR_TOKEN] y')
  })

  test('a non-ASCII secret is redacted in its Unicode upper case', () => {
    const r = createRedactor({ secrets: { K: 'grüße-aus-köln-2024' } })
    expect(r.redactText('x GRÜSSE-AUS-KÖLN-2024 y')).toBe('x [REDACTED:K] y')
  })

  test('redacted bytes and JSON follow the same rules', () => {
    const r = createRedactor({ secrets: { CONNECTOR_TOKEN: TOKEN } })
    const bytes = Buffer.from(r.redactBytes(enc(`[${TOKEN.slice(0, 2)}\r\n${TOKEN.slice(2).toUpperCase()}]`)))
    expect(bytes.toString()).toBe('[[REDACTED:CONNECTOR_TOKEN]]')
    expect(r.redactJson({ out: `${TOKEN.slice(20)}\n${TOKEN.toUpperCase()}` })).toEqual({
      out: '[REDACTED:CONNECTOR_TOKEN]',
    })
  })
})

describe('createRedactor: values with line breaks and cuts', () => {
  test('a secret that contains line breaks is redacted with LF, CRLF or no breaks at all', () => {
    const r = createRedactor({ secrets: { KEY: 'line-one-of-key\nline-two-of-key' } })
    for (const written of [
      'line-one-of-key\nline-two-of-key',
      'LINE-ONE-OF-KEY\r\nLINE-TWO-OF-KEY',
      'line-one-of-keyline-two-of-key',
    ]) {
      expect(r.redactText(`<${written}>`), JSON.stringify(written)).toBe('<[REDACTED:KEY]>')
    }
  })

  test('an upper-cased secret straddling the cut of a bounded output leaves no 4-character piece', () => {
    const r = createRedactor({ secrets: { CONNECTOR_TOKEN: TOKEN } })
    const upper = TOKEN.toUpperCase()
    for (let cut = 1; cut < upper.length; cut++) {
      const { head, tail } = r.redactSplit(
        enc(`head ${upper.slice(0, cut)}`),
        enc(`${upper.slice(cut)} tail`),
      )
      const text = `${Buffer.from(head).toString()}|${Buffer.from(tail).toString()}`
      for (let i = 0; i + 4 <= upper.length; i++)
        expect(text, `cut ${cut}`).not.toContain(upper.slice(i, i + 4))
      expect(text.startsWith('head ') && text.endsWith(' tail')).toBe(true)
    }
  })
})

describe('createRedactor: streams', () => {
  test('a secret split across chunks is redacted as if the chunks were joined', () => {
    const r = createRedactor({ secrets: { CONNECTOR_TOKEN: TOKEN } })
    const text = `before ${TOKEN} middle ${TOKEN.toUpperCase().slice(4)} and\n${enc(TOKEN).toString('hex')} end`
    for (let a = 1; a < text.length - 1; a += 3) {
      for (const b of [a + 1, a + 7, a + 20]) {
        const stream = r.stream()
        const out = [text.slice(0, a), text.slice(a, b), text.slice(b)].map((c) => stream.push(c)).join('')
        const all = `${out}${stream.flush()}`
        expect(all, `cuts at ${a}, ${b}`).toBe(r.redactText(text))
      }
    }
  })

  test('a stream keeps multi-byte characters whole and holds back no more than a secret could need', () => {
    const r = createRedactor({ secrets: { K: 'ßecret-välue-12345' } })
    const stream = r.stream()
    const first = stream.push('grüße ßecret-vä')
    expect(first.length).toBeGreaterThan(0)
    expect(first).not.toContain('\uFFFD')
    expect(`${first}${stream.push('lue-12345 done')}${stream.flush()}`).toBe('grüße [REDACTED:K] done')
    const plain = r.stream()
    expect(plain.push('nothing secret here! ')).toBe('nothing secret here! ')
  })
})
