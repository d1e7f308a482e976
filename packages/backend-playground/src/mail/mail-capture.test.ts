import { truncationMarker } from '@codebox/artifacts'
import { describe, expect, it } from 'vitest'
import { mailCapturedEvent } from './mail-capture.js'

const posted = (mail: Record<string, unknown>) =>
  JSON.stringify({
    codebox: 'mail.captured',
    mail: {
      from: 'WordPress <wordpress@127.0.0.1>',
      to: ['a@example.org'],
      cc: [],
      bcc: [],
      subject: 'Hi',
      headers: [],
      body: 'hello',
      bodyBytes: 5,
      attachments: [],
      ...mail,
    },
  })

describe('mailCapturedEvent', () => {
  it('turns what the mail capture posts into a mail.captured event', () => {
    expect(mailCapturedEvent(posted({ attachments: [{ name: 'a.pdf', sizeBytes: 10 }] }))).toEqual({
      type: 'mail.captured',
      from: 'WordPress <wordpress@127.0.0.1>',
      to: ['a@example.org'],
      cc: [],
      bcc: [],
      subject: 'Hi',
      headers: [],
      body: { text: 'hello', totalBytes: 5, truncated: false, omittedBytes: 0 },
      attachments: [{ name: 'a.pdf', sizeBytes: 10 }],
    })
  })

  it('marks a body PHP cut, counting what it left out', () => {
    const event = mailCapturedEvent(posted({ body: 'héllo', bodyBytes: 106 }))
    expect(event).toMatchObject({
      body: { text: `héllo${truncationMarker(100)}`, totalBytes: 106, truncated: true, omittedBytes: 100 },
    })
  })

  it('ignores anything else PHP posts with post_message_to_js', () => {
    expect(mailCapturedEvent('not json')).toBeUndefined()
    expect(mailCapturedEvent(JSON.stringify({ codebox: 'other' }))).toBeUndefined()
    expect(mailCapturedEvent(posted({ to: 'not-a-list' }))).toBeUndefined()
  })
})
