import type { BoundedText, MailAttachment, MailRecord } from '@codebox/artifacts'

/**
 * A message an application in the sandbox sent, as the backend hands it over in a `mail.captured` event: captured
 * instead of delivered. The backend cuts a large body itself (`body.totalBytes` is its size as sent).
 */
export interface MailMessage {
  /** The `From` address the application set (header or filters), or null when it left it to the default. */
  readonly from: string | null
  readonly to: readonly string[]
  readonly cc: readonly string[]
  readonly bcc: readonly string[]
  readonly subject: string
  /** Every header line as given (`Name: value`). */
  readonly headers: readonly string[]
  readonly body: BoundedText
  /** Attachments by name and size; their content is never recorded. */
  readonly attachments: readonly MailAttachment[]
}

/**
 * One captured message as `runtime.mail()` returns it and `mail.jsonl` records it: the {@link MailMessage}, its
 * position, the `seq` and time of its `mail.captured` event, and the command that was running when it was sent.
 * Redacted like every event.
 */
export type CapturedMail = MailRecord
