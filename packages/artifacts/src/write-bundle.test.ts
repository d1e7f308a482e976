import { generateKeyPairSync } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGunzip } from 'node:zlib'
import tar from 'tar-stream'
import { describe, expect, test } from 'vitest'
import { sampleInput } from '../test-fixtures/sample-input.js'
import { ArtifactsError } from './artifacts-error.js'
import { truncationMarker } from './bounded-text.js'
import { BundleManifestSchema, CommandRecordSchema } from './schemas.js'
import { verifyBundle } from './verify-bundle.js'
import { writeBundle } from './write-bundle.js'

const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'codebox-artifacts-'))

async function listFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name
    if (e.isDirectory()) out.push(...(await listFiles(root, p)))
    else out.push(p)
  }
  return out.sort()
}

async function tarContents(path: string): Promise<Map<string, Buffer>> {
  const extract = tar.extract()
  createReadStream(path).pipe(createGunzip()).pipe(extract)
  const files = new Map<string, Buffer>()
  for await (const entry of extract) {
    const chunks: Buffer[] = []
    for await (const c of entry) chunks.push(c as Buffer)
    files.set(entry.header.name, Buffer.concat(chunks))
  }
  return files
}

describe('writeBundle', () => {
  test('writes the documented layout and the bundle verifies', async () => {
    const dir = await tempDir()
    const written = await writeBundle(sampleInput(), { directory: dir })
    const files = await listFiles(written.path)
    expect(files).toEqual([
      'attestation.json',
      'changes/files.json',
      'changes/files/my-plugin/assets/logo.bin',
      'changes/files/my-plugin/inc/new.php',
      'changes/files/my-plugin/my-plugin.php',
      'changes/patch.diff',
      'commands.jsonl',
      'credentials.json',
      'diagnostics.json',
      'events.jsonl',
      'logs/boot.log',
      'logs/php-error.log',
      'manifest.json',
      'snapshot/runtime-snapshot.bin',
    ])
    const manifest = BundleManifestSchema.parse(
      JSON.parse(await readFile(join(written.path, 'manifest.json'), 'utf8')),
    )
    expect(manifest.files.map((f) => f.path)).toEqual(
      files.filter((f) => f !== 'manifest.json' && f !== 'attestation.json'),
    )
    expect(manifest.policy.enforcement.filesystem?.status).toBe('declared-only')
    expect(manifest.provenance.components.map((c) => c.kind)).toEqual(['wordpress', 'php', 'plugin', 'tool'])
    const lines = (await readFile(join(written.path, 'commands.jsonl'), 'utf8')).trim().split('\n')
    expect(lines.map((l) => CommandRecordSchema.parse(JSON.parse(l)).status)).toEqual(['ok', 'failed'])
    const report = await verifyBundle(written.path)
    expect(report.problems).toEqual([])
    expect(report).toMatchObject({
      ok: true,
      format: 'directory',
      assurance: 'integrity-only',
      keyTrusted: false,
    })
  })

  test('the tar.gz form verifies and holds exactly the same bytes as the directory form', async () => {
    const dir = await tempDir()
    const { privateKey } = generateKeyPairSync('ed25519')
    const common = {
      directory: dir,
      bundleId: 'fixed-id',
      createdAt: '2024-05-01T10:00:00.000Z',
      signingKey: privateKey,
    }
    const asDir = await writeBundle(sampleInput(), { ...common, name: 'run' })
    const asTar = await writeBundle(sampleInput(), { ...common, name: 'run', format: 'tar.gz' })
    expect(asTar.path.endsWith('run.tar.gz')).toBe(true)
    expect((await verifyBundle(asTar.path)).problems).toEqual([])
    const entries = await tarContents(asTar.path)
    const files = await listFiles(asDir.path)
    expect([...entries.keys()].sort()).toEqual(files)
    for (const f of files) expect(entries.get(f)?.equals(await readFile(join(asDir.path, f))), f).toBe(true)
  })

  test('a provided signing key gives a signed attestation that verifies only against that key', async () => {
    const dir = await tempDir()
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const other = generateKeyPairSync('ed25519').publicKey
    const written = await writeBundle(sampleInput(), { directory: dir, signingKey: privateKey })
    expect(written.attestation.statement.signer).toMatchObject({ keyKind: 'provided', assurance: 'signed' })
    const trusted = await verifyBundle(written.path, { publicKey })
    expect(trusted).toMatchObject({ ok: true, keyTrusted: true, assurance: 'signed' })
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
    expect((await verifyBundle(written.path, { publicKey: pem })).ok).toBe(true)
    const untrusted = await verifyBundle(written.path, { publicKey: other })
    expect(untrusted.ok).toBe(false)
    expect(untrusted.problems.map((p) => p.code)).toEqual(['untrusted-key'])
  })

  test('an ephemeral-key bundle cannot pass as signed by a caller key', async () => {
    const dir = await tempDir()
    const written = await writeBundle(sampleInput(), { directory: dir })
    const report = await verifyBundle(written.path, { publicKey: generateKeyPairSync('ed25519').publicKey })
    expect(report.problems.map((p) => p.code)).toEqual(['untrusted-key'])
  })

  test('an existing target is refused and left untouched', async () => {
    const dir = await tempDir()
    await mkdir(join(dir, 'taken'))
    await expect(writeBundle(sampleInput(), { directory: dir, name: 'taken' })).rejects.toMatchObject({
      code: 'BUNDLE_EXISTS',
    })
    expect(await readdir(join(dir, 'taken'))).toEqual([])
    await writeBundle(sampleInput(), { directory: dir, name: 'run', format: 'tar.gz' })
    await expect(
      writeBundle(sampleInput(), { directory: dir, name: 'run', format: 'tar.gz' }),
    ).rejects.toMatchObject({
      code: 'BUNDLE_EXISTS',
    })
    expect((await readdir(dir)).sort()).toEqual(['run.tar.gz', 'taken'])
  })

  test('invalid input is rejected with JSON paths of the issues', async () => {
    const dir = await tempDir()
    const input = sampleInput()
    const bad = {
      ...input,
      commands: [{ ...input.commands[0]!, status: 'weird' }],
    } as unknown as typeof input
    const error = await writeBundle(bad, { directory: dir }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ArtifactsError)
    expect((error as ArtifactsError).code).toBe('BUNDLE_INPUT_INVALID')
    expect((error as ArtifactsError).issues.map((i) => i.path)).toContain('$.commands[0].status')
    expect(await readdir(dir)).toEqual([])
  })

  test('oversized outputs, strings and logs are cut with explicit markers and counted', async () => {
    const dir = await tempDir()
    const input = sampleInput({ logBytes: 300_000 })
    input.commands[0] = {
      ...input.commands[0]!,
      stdout: 'o'.repeat(50_000),
      args: { code: 'a'.repeat(20_000) },
    }
    const written = await writeBundle(input, {
      directory: dir,
      limits: { maxOutputBytes: 1000, maxStringBytes: 500, maxFileBytes: 100_000 },
    })
    const first = CommandRecordSchema.parse(
      JSON.parse((await readFile(join(written.path, 'commands.jsonl'), 'utf8')).split('\n')[0]!),
    )
    expect(first.stdout).toMatchObject({ totalBytes: 50_000, truncated: true, omittedBytes: 49_000 })
    expect(first.stdout.text).toContain(truncationMarker(49_000))
    expect((first.args as { code: string }).code).toContain(truncationMarker(19_500))
    const log = await readFile(join(written.path, 'logs/php-error.log'))
    expect(log.byteLength).toBeLessThan(100_100)
    expect(written.manifest.truncation.strings).toBeGreaterThanOrEqual(2)
    expect(written.manifest.truncation.files).toBe(1)
    expect((await verifyBundle(written.path)).ok).toBe(true)
  })
})
