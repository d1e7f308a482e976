/**
 * Property tests over damaged bundles (seeded, bounded runs): truncated, reordered, oversized and symlinked entries,
 * in tarballs and directories. Reading or verifying one must give a report with problems (or a typed
 * `ArtifactsError`), never an untyped exception or a hang; applying one must either apply everything or leave the
 * target exactly as it was.
 */
import {
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import fc from 'fast-check'
import tar from 'tar-stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleInput } from '../test-fixtures/sample-input.js'
import { applyBundleChanges } from './apply-bundle-changes.js'
import { ArtifactsError } from './artifacts-error.js'
import { createRedactor } from './redactor.js'
import { verifyBundle } from './verify-bundle.js'
import { writeBundle } from './write-bundle.js'

/** Seeded and bounded: failures reproduce, and the suite stays within seconds. */
const RUNS = { seed: 0x5eed_b0d1, numRuns: 25 } as const

let work: string
let tarball: Buffer
let directory: string

interface TarEntry {
  /** A header as tar-stream reads it, or the few fields a damaged entry sets. */
  readonly header: Partial<tar.Header> & { readonly name: string }
  readonly body: Buffer
}

async function untar(bytes: Buffer): Promise<TarEntry[]> {
  const extract = tar.extract()
  const entries: TarEntry[] = []
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer))
      stream.on('end', () => {
        entries.push({ header, body: Buffer.concat(chunks) })
        next()
      })
      stream.resume()
    })
    extract.on('finish', resolve)
    extract.on('error', reject)
  })
  extract.end(gunzipSync(bytes))
  await done
  return entries
}

async function retar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer))
  const ended = new Promise<void>((resolve) => pack.on('end', resolve))
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry(entry.header as tar.Header, entry.body, (error) => (error ? reject(error) : resolve())),
    )
  }
  pack.finalize()
  await ended
  return gzipSync(Buffer.concat(chunks))
}

/** What verifying a damaged bundle may do: report problems, or throw a typed error. Anything else fails. */
async function verifyTyped(path: string): Promise<{ ok: boolean; codes: string[] }> {
  try {
    const report = await verifyBundle(path)
    return { ok: report.ok, codes: report.problems.map((problem) => problem.code) }
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactsError)
    return { ok: false, codes: [(error as ArtifactsError).code] }
  }
}

async function snapshotTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name)
    const info = await lstat(full)
    out[full.slice(root.length)] = info.isFile()
      ? (await readFile(full)).toString('base64')
      : info.isDirectory()
        ? 'dir'
        : 'other'
  }
  return out
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'codebox-invalid-bundles-'))
  const redactor = createRedactor()
  const written = await writeBundle(sampleInput(), {
    directory: join(work, 'src'),
    redactor,
    format: 'tar.gz',
  })
  tarball = await readFile(written.path)
  directory = (await writeBundle(sampleInput(), { directory: join(work, 'src'), redactor })).path
  // The mount as it was before the run the sample bundle records: an undamaged bundle applies onto it.
  await mkdir(join(work, 'baseline'), { recursive: true })
  await writeFile(join(work, 'baseline', 'my-plugin.php'), '<?php\n// v1\n')
  await writeFile(join(work, 'baseline', 'old.txt'), 'old \n')
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('damaged tarballs', () => {
  it('a tarball cut anywhere is reported as invalid', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: tarball.byteLength - 1 }), async (cut) => {
        const path = join(work, `cut-${cut}.tar.gz`)
        await writeFile(path, tarball.subarray(0, cut))
        const result = await verifyTyped(path)
        expect(result.ok).toBe(false)
        expect(result.codes.length).toBeGreaterThan(0)
      }),
      RUNS,
    )
  })

  it('reordered, oversized or symlinked entries give a report, never an untyped error', async () => {
    const entries = await untar(tarball)
    const damage = fc.oneof(
      fc.record({
        kind: fc.constant('reorder' as const),
        order: fc.shuffledSubarray([...entries.keys()], { minLength: entries.length }),
      }),
      fc.record({
        kind: fc.constant('oversized' as const),
        index: fc.nat({ max: entries.length - 1 }),
        extraKiB: fc.integer({ min: 1, max: 4096 }),
      }),
      fc.record({
        kind: fc.constant('symlink' as const),
        index: fc.nat({ max: entries.length - 1 }),
        target: fc.constantFrom('/etc/passwd', '../../outside', 'manifest.json'),
      }),
      fc.record({ kind: fc.constant('duplicate' as const), index: fc.nat({ max: entries.length - 1 }) }),
    )
    await fc.assert(
      fc.asyncProperty(damage, async (change) => {
        let damaged: TarEntry[]
        if (change.kind === 'reorder') damaged = change.order.map((index) => entries[index] as TarEntry)
        else if (change.kind === 'oversized') {
          damaged = entries.map((entry, index) =>
            index === change.index
              ? {
                  header: { ...entry.header, size: entry.body.byteLength + change.extraKiB * 1024 },
                  body: Buffer.concat([entry.body, Buffer.alloc(change.extraKiB * 1024, 0x41)]),
                }
              : entry,
          )
        } else if (change.kind === 'symlink') {
          damaged = entries.map((entry, index) =>
            index === change.index
              ? {
                  header: { name: entry.header.name, type: 'symlink', linkname: change.target },
                  body: Buffer.alloc(0),
                }
              : entry,
          )
        } else damaged = [...entries, entries[change.index] as TarEntry]
        const path = join(work, `damaged.tar.gz`)
        await writeFile(path, await retar(damaged))
        const result = await verifyTyped(path)
        // Reordering alone keeps every file and its digest; everything else must be caught.
        if (change.kind !== 'reorder') expect(result.ok).toBe(false)
      }),
      RUNS,
    )
  })
})

describe('damaged directories', () => {
  it('the undamaged bundle applies onto the baseline (so a refusal below is the damage, not the setup)', async () => {
    const into = join(work, 'target-undamaged')
    await cp(join(work, 'baseline'), into, { recursive: true })
    const result = await applyBundleChanges(directory, into)
    expect(result.applied.length).toBeGreaterThan(0)
  })

  it('a truncated, replaced or symlinked file is reported, and applying the bundle writes nothing', async () => {
    const files = (await readdir(directory, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1))
    const damage = fc.record({
      file: fc.constantFrom(...files),
      how: fc.constantFrom('truncate', 'symlink', 'grow'),
      keep: fc.nat({ max: 64 }),
    })
    let round = 0
    await fc.assert(
      fc.asyncProperty(damage, async ({ file, how, keep }) => {
        const copy = join(work, `dir-${round++}`)
        await cp(directory, copy, { recursive: true })
        const target = join(copy, file)
        if (how === 'truncate') await truncate(target, Math.min(keep, (await lstat(target)).size - 1))
        else if (how === 'grow') await writeFile(target, Buffer.alloc(256 * 1024, 0x42), { flag: 'a' })
        else {
          await rm(target)
          await symlink('/etc/hostname', target)
        }
        const result = await verifyTyped(copy)
        expect(result.ok).toBe(false)

        const into = join(work, `target-${round}`)
        await cp(join(work, 'baseline'), into, { recursive: true })
        const before = await snapshotTree(into)
        const applied = await applyBundleChanges(copy, into).then(
          () => 'applied' as const,
          (error: unknown) => {
            expect(error).toBeInstanceOf(ArtifactsError)
            return 'refused' as const
          },
        )
        expect(applied).toBe('refused')
        expect(await snapshotTree(into)).toEqual(before)
        await rm(copy, { recursive: true, force: true })
        await rm(into, { recursive: true, force: true })
      }),
      RUNS,
    )
  })
})
