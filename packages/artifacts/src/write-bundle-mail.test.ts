import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { sampleInput } from '../test-fixtures/sample-input.js'
import type { BundleInput } from './bundle-input.js'
import { MailRecordSchema } from './mail-record.js'
import { createRedactor } from './redactor.js'
import { TruncationRecordSchema } from './schemas.js'
import { verifyBundle } from './verify-bundle.js'
import { writeBundle } from './write-bundle.js'

const SECRET = 'conn-secret-7f3a9c1e5b'

type MailInput = NonNullable<BundleInput['mail']>[number]

function message(index: number, body: string): MailInput {
  return {
    index,
    seq: index + 10,
    capturedAt: '2025-01-01T00:00:00.000Z',
    from: null,
    to: ['someone@example.org'],
    cc: [],
    bcc: [],
    subject: `Message ${index}`,
    headers: ['Content-Type: text/plain'],
    body,
    attachments: [{ name: 'report.csv', sizeBytes: 12 }],
    command: { index: 0, command: 'wordpress.run-php' },
  }
}

const readLines = async (path: string): Promise<unknown[]> =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown)

describe('mail.jsonl in a bundle', () => {
  test('holds every captured message, redacted, and the bundle verifies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'codebox-mail-'))
    const input: BundleInput = {
      ...sampleInput(),
      mail: [message(0, `Your token is ${SECRET}.`), message(1, 'plain')],
    }
    const redactor = createRedactor({ secrets: { CONNECTOR_TOKEN: SECRET } })
    const written = await writeBundle(input, { directory: dir, redactor })
    const text = await readFile(join(written.path, 'mail.jsonl'), 'utf8')
    expect(text).not.toContain(SECRET)
    const lines = await readLines(join(written.path, 'mail.jsonl'))
    const records = lines.map((line) => MailRecordSchema.parse(line))
    expect(records.map((record) => record.subject)).toEqual(['Message 0', 'Message 1'])
    expect(records[0]?.body.text).toContain('[REDACTED')
    expect(records[0]?.body.totalBytes).toBe(Buffer.byteLength(`Your token is ${SECRET}.`))
    expect(records[1]?.attachments).toEqual([{ name: 'report.csv', sizeBytes: 12 }])
    expect(written.manifest.counts.mail).toBe(2)
    expect(written.manifest.files.find((file) => file.path === 'mail.jsonl')?.schema).toBe(
      'codebox/mail-record/v1',
    )
    expect((await verifyBundle(written.path)).problems).toEqual([])
  })

  test('is cut in the middle to maxMailBytes, and what the mailbox dropped is recorded first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'codebox-mail-'))
    const mail = Array.from({ length: 40 }, (_, i) => message(i + 5, 'x'.repeat(1000)))
    const written = await writeBundle(
      { ...sampleInput(), mail, dropped: { mail: { records: 5, bytes: 5000 } } },
      { directory: dir, limits: { maxMailBytes: 8 * 1024 } },
    )
    const path = join(written.path, 'mail.jsonl')
    expect((await readFile(path)).byteLength).toBeLessThanOrEqual(8 * 1024)
    const lines = await readLines(path)
    expect(TruncationRecordSchema.parse(lines[0])).toMatchObject({ reason: 'history-cap', omittedRecords: 5 })
    const fileCap = lines.filter((line) => (line as { reason?: string }).reason === 'file-cap')
    expect(fileCap.map((line) => TruncationRecordSchema.parse(line).omittedRecords)).toEqual([
      expect.any(Number),
    ])
    expect(MailRecordSchema.parse(lines.at(-1)).index).toBe(44)
    expect((await verifyBundle(written.path)).problems).toEqual([])
  })

  test('is absent when no mail was handed over, and a tampered record fails verification', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'codebox-mail-'))
    const none = await writeBundle(sampleInput(), { directory: dir })
    expect(none.manifest.files.some((file) => file.path === 'mail.jsonl')).toBe(false)
    expect(none.manifest.counts.mail).toBeUndefined()

    const some = await writeBundle({ ...sampleInput(), mail: [message(0, 'hello')] }, { directory: dir })
    await writeFile(join(some.path, 'mail.jsonl'), '{"index":0}\n')
    const report = await verifyBundle(some.path)
    expect(report.ok).toBe(false)
    expect(report.problems.map((problem) => problem.path)).toContain('mail.jsonl')
  })
})
