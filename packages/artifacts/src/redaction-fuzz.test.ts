import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { expect, test } from 'vitest'
import { sampleInput } from '../test-fixtures/sample-input.js'
import { createRedactor } from './redactor.js'
import { verifyBundle } from './verify-bundle.js'
import { writeBundle } from './write-bundle.js'

/** mulberry32: a small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "\\/%+&=?#-_.~!*\'()é日ß'

const b = (s: string): Buffer => Buffer.from(s, 'utf8')

/** Ways a secret can be planted; written independently of the redactor's own list. */
const PLANTERS: Record<string, (s: string, rnd: () => number) => string> = {
  plain: (s) => s,
  base64: (s) => b(s).toString('base64'),
  base64NoPad: (s) => b(s).toString('base64').replace(/=+$/, ''),
  base64url: (s) => b(s).toString('base64url'),
  url: (s) => encodeURIComponent(s),
  form: (s) => encodeURIComponent(s).replace(/%20/g, '+'),
  urlLower: (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (p) => p.toLowerCase()),
  json: (s) => JSON.stringify(s).slice(1, -1),
  jsonAscii: (s) =>
    JSON.stringify(s)
      .slice(1, -1)
      .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  jsonSlashes: (s) => JSON.stringify(s).slice(1, -1).replace(/\//g, '\\/'),
  hex: (s) => b(s).toString('hex'),
  HEX: (s) => b(s).toString('hex').toUpperCase(),
  base64Embedded: (s, rnd) => {
    const pre = 'x'.repeat(Math.floor(rnd() * 5))
    return b(`${pre}${s} trailing words`).toString('base64')
  },
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  mixedCase: (s, rnd) => [...s].map((c) => (rnd() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join(''),
  base64Upper: (s) => b(s).toString('base64').toUpperCase(),
  urlUpper: (s) => encodeURIComponent(s).toUpperCase(),
  /** The secret broken over two or three lines at random places, with LF or CRLF. */
  splitLines: (s, rnd) => {
    const cuts = [1 + Math.floor(rnd() * (s.length - 1)), 1 + Math.floor(rnd() * (s.length - 1))].sort(
      (x, y) => x - y,
    )
    const br = rnd() < 0.5 ? '\n' : '\r\n'
    return `${s.slice(0, cuts[0])}${br}${s.slice(cuts[0], cuts[1])}${br}${s.slice(cuts[1])}`
  },
  /** The case: a short head on one line, the long tail on a later one. */
  tailOnItsOwnLine: (s) => `${s.slice(0, 3)}\nsome other line\n${s.slice(3)}`,
  /** Twelve or more consecutive characters of the secret inside unrelated text. */
  run: (s, rnd) => {
    const length = 12 + Math.floor(rnd() * (s.length - 11))
    const start = Math.floor(rnd() * (s.length - length + 1))
    return `<<${s.slice(start, start + length)}>>`
  },
  runUpper: (s, rnd) => PLANTERS.run!(s, rnd).toUpperCase(),
  /** base64 wrapped at a random width, as mail and PEM writers do. */
  base64Wrapped: (s, rnd) => {
    const width = 8 + Math.floor(rnd() * 70)
    return (
      b(s)
        .toString('base64')
        .match(new RegExp(`.{1,${width}}`, 'g')) ?? []
    ).join('\n')
  },
  hexSplit: (s, rnd) => {
    const hex = b(s).toString('hex')
    const cut = 1 + Math.floor(rnd() * (hex.length - 1))
    return `${hex.slice(0, cut)}\r\n${hex.slice(cut).toUpperCase()}`
  },
}

/** Folds a binary string the way a reader would compare it: case-insensitive, line breaks ignored. */
const fold = (s: string): string => s.toLowerCase().replace(/[\r\n]/g, '')

/** UTF-8 bytes of `s` as a latin1 string, one char per byte, so byte runs can be sliced and compared. */
const bytesOf = (s: string): string => b(s).toString('latin1')

/** Byte sequences (folded) that must not appear anywhere in a folded bundle file. */
function needles(secret: string): string[] {
  const out = new Set<string>()
  for (const name of ['plain', 'base64', 'base64NoPad', 'base64url', 'url', 'json', 'jsonSlashes', 'hex']) {
    out.add(bytesOf(PLANTERS[name]!(secret, () => 0)))
  }
  for (let offset = 0; offset < 3; offset++) {
    const enc = Buffer.concat([Buffer.alloc(offset), b(secret)]).toString('base64')
    const core = enc.slice(4, enc.length - 4)
    out.add(core)
    out.add(core.replace(/\+/g, '-').replace(/\//g, '_'))
  }
  // Every run of 12 bytes of the secret, as written raw and as JSON writes it.
  for (const form of [secret, secret.toUpperCase(), JSON.stringify(secret).slice(1, -1)]) {
    const bytes = bytesOf(form)
    for (let i = 0; i + 12 <= bytes.length; i++) out.add(bytes.slice(i, i + 12))
  }
  return [...out].map(fold)
}

/** A file's bytes as a reader would search them: folded, and with JSON's escaped line breaks removed too. */
const searchable = (bytes: Buffer): string[] => {
  const folded = fold(bytes.toString('latin1'))
  return [folded, folded.replace(/\\r|\\n/g, '')]
}

function randomSecret(rnd: () => number): string {
  const length = 12 + Math.floor(rnd() * 28)
  let s = ''
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(rnd() * ALPHABET.length)]
  return s
}

async function allFiles(root: string, rel = ''): Promise<[string, Buffer][]> {
  const out: [string, Buffer][] = []
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name
    if (e.isDirectory()) out.push(...(await allFiles(root, p)))
    else out.push([p, await readFile(join(root, p))])
  }
  return out
}

test(`no planted secret survives in any of ${Object.keys(PLANTERS).length} transformations anywhere in a bundle (seeded fuzz)`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'codebox-fuzz-'))
  const iterations = 160
  let planted = 0
  for (let iteration = 0; iteration < iterations; iteration++) {
    const rnd = prng(0xc0deb0c5 + iteration)
    const secrets = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => randomSecret(rnd))
    const redactor = createRedactor()
    for (const [i, s] of secrets.entries()) redactor.addSecret(`SECRET_${i}`, s)
    const kinds = Object.keys(PLANTERS)
    const plant = (slot: string): string => {
      const secret = secrets[Math.floor(rnd() * secrets.length)]!
      const kind = kinds[Math.floor(rnd() * kinds.length)]!
      planted++
      return `${slot}:${PLANTERS[kind]!(secret, rnd)}|${rnd() < 0.5 ? PLANTERS.plain!(secret, rnd) : ''}`
    }
    const format = iteration % 2 === 0 ? 'directory' : 'tar.gz'
    const written = await writeBundle(sampleInput({ plant }), { directory: dir, redactor, format })
    const report = await verifyBundle(written.path)
    expect(report.problems, `iteration ${iteration}`).toEqual([])
    const blobs: [string, Buffer][] =
      format === 'directory'
        ? await allFiles(written.path)
        : [['(tar stream)', gunzipSync(await readFile(written.path))]]
    const haystacks = blobs.map(([path, bytes]) => [path, searchable(bytes)] as const)
    for (const secret of secrets) {
      for (const needle of needles(secret)) {
        for (const [path, folded] of haystacks) {
          const leaked = folded.some((h) => h.includes(needle))
          expect(leaked, `iteration ${iteration}: ${path} leaks ${JSON.stringify(needle)}`).toBe(false)
        }
      }
    }
    expect(written.redaction.total).toBeGreaterThan(0)
  }
  expect(planted).toBeGreaterThan(iterations * 15)
})

test('short secrets planted as whole tokens, in either case, never survive in any bundle content', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'codebox-fuzz-short-'))
  for (let iteration = 0; iteration < 40; iteration++) {
    const rnd = prng(0x5eed + iteration)
    const secret = Array.from(
      { length: 3 + Math.floor(rnd() * 4) },
      () => 'QWXZJK'[Math.floor(rnd() * 6)],
    ).join('')
    const redactor = createRedactor({ secrets: { PIN: secret } })
    const plant = (slot: string): string => `${slot} ${secret} end ${secret.toLowerCase()}.`
    const written = await writeBundle(sampleInput({ plant }), { directory: dir, redactor })
    for (const [path, bytes] of await allFiles(written.path)) {
      expect(
        new RegExp(`(?<![A-Za-z0-9_])${secret}(?![A-Za-z0-9_])`, 'i').test(bytes.toString('latin1')),
        path,
      ).toBe(false)
    }
  }
})
