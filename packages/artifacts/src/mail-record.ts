import { z } from 'zod'
import { BoundedTextSchema } from './schemas.js'

const count = z.number().int().nonnegative()

/** One attachment of a captured message: recorded by name and size, never by content. */
export const MailAttachmentSchema = z.strictObject({
  /** The file's base name as the application attached it. */
  name: z.string(),
  /** Its size in bytes, or null when the file could not be read inside the sandbox. */
  sizeBytes: count.nullable(),
})
/** See {@link MailAttachmentSchema}. */
export type MailAttachment = z.infer<typeof MailAttachmentSchema>

/**
 * One line of `mail.jsonl` (`codebox/mail-record/v1`): a message an application in the sandbox sent, captured
 * instead of delivered. The same shape `runtime.mail()` returns. Every string is redacted like all output.
 */
export const MailRecordSchema = z.strictObject({
  /** 0-based position among the runtime's captured messages (absolute: dropped messages keep their numbers). */
  index: count,
  /** `seq` of the `mail.captured` event that carried the message. */
  seq: count,
  /** ISO-8601 time it was captured. */
  capturedAt: z.string().min(1),
  /** The `From` address as the application set it (header or filters), or null when it left it to the default. */
  from: z.string().nullable(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  bcc: z.array(z.string()),
  subject: z.string(),
  /** Every header line as given (`Name: value`), `From`/`Cc`/`Bcc` included. */
  headers: z.array(z.string()),
  /** The body, cut to a byte budget with an explicit marker (`totalBytes` is its size as sent). */
  body: BoundedTextSchema,
  attachments: z.array(MailAttachmentSchema),
  /** The command that was running when the message was sent, or null (sent while booting or serving HTTP). */
  command: z.strictObject({ index: count, command: z.string() }).nullable(),
})
/** See {@link MailRecordSchema}. */
export type MailRecord = z.infer<typeof MailRecordSchema>
