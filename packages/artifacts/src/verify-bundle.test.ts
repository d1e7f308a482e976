import { execFileSync } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { link, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import tar from 'tar-stream'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sampleInput } from '../test-fixtures/sample-input.js'
import { verifyBundle } from './verify-bundle.js'
import { type WriteBundleResult, writeBundle } from './write-bundle.js'

/** A private parent, so the traversal check below (`<dir>/../x`) never looks at a shared /tmp path. */
let root: string
let dir: string
let bundle: WriteBundleResult
let tarball: WriteBundleResult

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'codebox-verify-'))
  dir = join(root, 'work')
  await mkdir(dir)
  bundle = await writeBundle(sampleInput(), { directory: dir, name: 'run' })
  tarball = await writeBundle(sampleInput(), { directory: dir, name: 'run', format: 'tar.gz' })
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

/** Positions to flip: every byte of small files, otherwise the edges plus an even spread. */
function positions(size: number, budget = 48): number[] {
  if (size <= budget) return Array.from({ length: size }, (_, i) => i)
  const set = new Set<number>([0, 1, 2, size - 2, size - 1])
  for (let i = 0; set.size < budget; i++) set.add(Math.floor(((i + 0.5) * size) / budget))
  return [...set]
}

const files = [
  'attestation.json',
  'manifest.json',
  'commands.jsonl',
  'events.jsonl',
  'diagnostics.json',
  'credentials.json',
  'changes/files.json',
  'changes/patch.diff',
  'changes/files/my-plugin/my-plugin.php',
  'changes/files/my-plugin/assets/logo.bin',
  'logs/php-error.log',
  'logs/boot.log',
  'snapshot/runtime-snapshot.bin',
]

describe('verifyBundle', () => {
  test('flipping any byte of any file fails verification', async () => {
    let checked = 0
    for (const file of files) {
      const path = join(bundle.path, file)
      const original = await readFile(path)
      for (const pos of positions(original.byteLength)) {
        const tampered = Buffer.from(original)
        tampered[pos] = tampered[pos]! ^ 0x01
        await writeFile(path, tampered)
        const report = await verifyBundle(bundle.path)
        expect(report.ok, `${file}@${pos}`).toBe(false)
        checked++
      }
      await writeFile(path, original)
    }
    expect(checked).toBeGreaterThan(300)
    expect((await verifyBundle(bundle.path)).ok).toBe(true)
  })

  test('flipping any byte of the tarball fails verification', async () => {
    const original = await readFile(tarball.path)
    const copy = join(dir, 'flipped.tar.gz')
    const spots = [
      ...new Set([
        ...Array.from({ length: 16 }, (_, i) => i),
        ...positions(original.byteLength, 120),
        // The gzip trailer (CRC-32 and length), whose errors surface only after the last byte.
        ...Array.from({ length: 8 }, (_, i) => original.byteLength - 8 + i),
      ]),
    ]
    for (const pos of spots) {
      const tampered = Buffer.from(original)
      tampered[pos] = tampered[pos]! ^ 0x01
      await writeFile(copy, tampered)
      expect((await verifyBundle(copy)).ok, `byte ${pos}`).toBe(false)
    }
  })

  test('adding a file, an empty directory or removing a file fails with the precise problem', async () => {
    const extra = join(bundle.path, 'logs/extra.log')
    await writeFile(extra, 'sneaky')
    expect((await verifyBundle(bundle.path)).problems).toEqual([
      { code: 'extra-file', path: 'logs/extra.log', message: expect.any(String) },
    ])
    await rm(extra)
    await mkdir(join(bundle.path, 'hidden'))
    expect((await verifyBundle(bundle.path)).problems.map((p) => [p.code, p.path])).toEqual([
      ['extra-file', 'hidden'],
    ])
    await rm(join(bundle.path, 'hidden'), { recursive: true })
    const removed = join(bundle.path, 'events.jsonl')
    const content = await readFile(removed)
    await rm(removed)
    expect((await verifyBundle(bundle.path)).problems.map((p) => [p.code, p.path])).toEqual([
      ['missing-file', 'events.jsonl'],
    ])
    await writeFile(removed, content)
    await rm(join(bundle.path, 'attestation.json'), { force: false }).then(async () => {
      const report = await verifyBundle(bundle.path)
      expect(report.problems.map((p) => p.code)).toEqual(['missing-file'])
    })
    await writeFile(join(bundle.path, 'attestation.json'), `${JSON.stringify(bundle.attestation, null, 2)}\n`)
  })

  test('symbolic links, hard links and special files in a directory bundle are reported', async () => {
    const copy = await writeBundle(sampleInput(), { directory: dir, name: 'links' })
    await symlink('/etc/passwd', join(copy.path, 'logs/link.log'))
    await link(join(copy.path, 'logs/boot.log'), join(dir, 'outside-hardlink'))
    execFileSync('mkfifo', [join(copy.path, 'fifo')])
    const codes = (await verifyBundle(copy.path)).problems.map((p) => [p.code, p.path])
    expect(codes).toEqual(
      expect.arrayContaining([
        ['special-file', 'fifo'],
        ['hardlink', 'logs/boot.log'],
        ['symlink', 'logs/link.log'],
      ]),
    )
  })

  test('tarballs with traversal paths, links and special entries are reported without extracting', async () => {
    const path = join(dir, 'evil.tar.gz')
    const pack = tar.pack()
    const done = pipeline(pack, createGzip(), createWriteStream(path))
    pack.entry({ name: '../x', size: 1 }, 'x')
    pack.entry({ name: '/etc/abs', size: 1 }, 'x')
    pack.entry({ name: 'a/../../b', size: 1 }, 'x')
    pack.entry({ name: 'sym', type: 'symlink', linkname: '/etc/passwd' })
    pack.entry({ name: 'hard', type: 'link', linkname: 'manifest.json' })
    pack.entry({ name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 })
    pack.entry({ name: 'pipe', type: 'fifo' })
    pack.finalize()
    await done
    const report = await verifyBundle(path)
    expect(report.ok).toBe(false)
    const got = report.problems.map((p) => [p.code, p.path ?? null])
    expect(got).toEqual(
      expect.arrayContaining([
        ['path-traversal', '../x'],
        ['path-traversal', '/etc/abs'],
        ['path-traversal', 'a/../../b'],
        ['symlink', 'sym'],
        ['hardlink', 'hard'],
        ['special-file', 'dev'],
        ['special-file', 'pipe'],
        ['missing-file', 'manifest.json'],
        ['missing-file', 'attestation.json'],
      ]),
    )
    await expect(readFile(join(dir, '..', 'x'))).rejects.toThrow()
  })

  test('a path that does not exist is reported, not thrown', async () => {
    const report = await verifyBundle(join(dir, 'nope'))
    expect(report).toMatchObject({ ok: false, problems: [{ code: 'missing-file', path: '.' }] })
  })
})
