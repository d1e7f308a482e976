import { truncationMarker } from '@codebox/artifacts'
import { describe, expect, it } from 'vitest'
import type { RuntimeEventOf } from './events.js'
import { Mailbox } from './mailbox.js'

const KiB = 1024

function captured(seq: number, body: string, extra: Partial<RuntimeEventOf<'mail.captured'>> = {}) {
  const event: RuntimeEventOf<'mail.captured'> = {
    type: 'mail.captured',
    runtimeId: 'rt',
    seq,
    time: '2025-01-01T00:00:00.000Z',
    from: 'site@example.org',
    to: ['a@example.org'],
    cc: [],
    bcc: [],
    subject: `Message ${seq}`,
    headers: ['From: site@example.org'],
    body: { text: body, totalBytes: Buffer.byteLength(body), truncated: false, omittedBytes: 0 },
    attachments: [{ name: 'a.txt', sizeBytes: 3 }],
    ...extra,
  }
  return event
}

describe('the mailbox', () => {
  it('numbers messages, links each to its event and to the command that sent it', () => {
    const mailbox = new Mailbox()
    mailbox.record(captured(7, 'hello', { command: 'wordpress.run-php', commandIndex: 2 }))
    mailbox.record(captured(9, 'again'))
    expect(mailbox.messages).toEqual([
      expect.objectContaining({
        index: 0,
        seq: 7,
        capturedAt: '2025-01-01T00:00:00.000Z',
        subject: 'Message 7',
        body: { text: 'hello', totalBytes: 5, truncated: false, omittedBytes: 0 },
        command: { index: 2, command: 'wordpress.run-php' },
      }),
      expect.objectContaining({ index: 1, seq: 9, command: null }),
    ])
  })

  it('keeps at most maxBytes, dropping the oldest messages first and counting them', () => {
    const mailbox = new Mailbox({ maxBytes: 64 * KiB, maxBodyBytes: 16 * KiB })
    for (let seq = 1; seq <= 100; seq++) mailbox.record(captured(seq, 'x'.repeat(8 * KiB)))
    const kept = mailbox.messages
    const keptBytes = kept.reduce((sum, message) => sum + Buffer.byteLength(JSON.stringify(message)), 0)
    expect(keptBytes).toBeLessThanOrEqual(64 * KiB)
    expect(kept.at(-1)?.index).toBe(99)
    expect(kept[0]?.index).toBe(mailbox.dropped.records)
    expect(mailbox.dropped.records + kept.length).toBe(100)
    expect(mailbox.dropped.bytes).toBeGreaterThan(0)
  })

  it('keeps at most maxMessages', () => {
    const mailbox = new Mailbox({ maxMessages: 3 })
    for (let seq = 1; seq <= 10; seq++) mailbox.record(captured(seq, 'hi'))
    expect(mailbox.messages.map((message) => message.index)).toEqual([7, 8, 9])
    expect(mailbox.dropped.records).toBe(7)
  })

  it('cuts a body over maxBodyBytes with an explicit marker, keeping its size as sent', () => {
    const mailbox = new Mailbox({ maxBodyBytes: 4 * KiB })
    mailbox.record(captured(1, 'y'.repeat(10 * KiB)))
    const [message] = mailbox.messages
    expect(message?.body.totalBytes).toBe(10 * KiB)
    expect(message?.body.truncated).toBe(true)
    expect(message?.body.omittedBytes).toBe(6 * KiB)
    expect(message?.body.text).toContain(truncationMarker(6 * KiB).trim())
  })
})
