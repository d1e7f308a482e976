import { truncationMarker } from '@codebox/artifacts'
import type { RuntimeEventInput } from '@codebox/runtime-core'
import { z } from 'zod'
import { MAIL_CAPTURE_PHP } from './mail-capture-php.js'

/** Where the mail capture is installed. */
export const MAIL_CAPTURE_PATH = '/wordpress/wp-content/mu-plugins/codebox-mail.php'

/** The message the mail capture posts (see `mail-capture-php.ts`). */
const PostedMailSchema = z.object({
  codebox: z.literal('mail.captured'),
  mail: z.object({
    from: z.string(),
    to: z.array(z.string()),
    cc: z.array(z.string()),
    bcc: z.array(z.string()),
    subject: z.string(),
    headers: z.array(z.string()),
    body: z.string(),
    bodyBytes: z.number().int().nonnegative(),
    attachments: z.array(
      z.object({ name: z.string(), sizeBytes: z.number().int().nonnegative().nullable() }),
    ),
  }),
})

/** The worker call the backend needs to install the must-use plugin. */
interface VfsWriter {
  writeFile(path: string, data: string, options?: { signal?: AbortSignal }): Promise<void>
}

/**
 * Writes the mail capture into the site's mu-plugins. Every runtime has it, a restored one too (it is written
 * again after the snapshot is applied), so `wp_mail()` never leaves any sandbox.
 */
export async function installMailCapture(worker: VfsWriter, signal?: AbortSignal): Promise<void> {
  await worker.writeFile(MAIL_CAPTURE_PATH, MAIL_CAPTURE_PHP, signal ? { signal } : {})
}

/**
 * The `mail.captured` event a message PHP posted (`post_message_to_js`) stands for, or undefined when it is not
 * one the mail capture sends. A body the capture cut gets the explicit truncation marker.
 */
export function mailCapturedEvent(data: string): RuntimeEventInput | undefined {
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return undefined
  }
  const parsed = PostedMailSchema.safeParse(json)
  if (!parsed.success) return undefined
  const { body, bodyBytes, ...mail } = parsed.data.mail
  const kept = new TextEncoder().encode(body).byteLength
  const omittedBytes = Math.max(0, bodyBytes - kept)
  return {
    type: 'mail.captured',
    ...mail,
    body: {
      text: omittedBytes > 0 ? `${body}${truncationMarker(omittedBytes)}` : body,
      totalBytes: bodyBytes,
      truncated: omittedBytes > 0,
      omittedBytes,
    },
  }
}
