import type { BoundedText } from '@codebox/artifacts'
import { boundText, jsonBytes, truncationMarker, utf8Length } from '@codebox/artifacts'
import type { RuntimeEventOf } from './events.js'
import type { CapturedMail } from './mail-message.js'

/** What a runtime's mailbox (`runtime.mail()`, `mail.jsonl`) keeps. */
export interface MailboxLimits {
  /** Most bytes kept, as JSON; over it the oldest messages are dropped (and counted). Default 16 MiB. */
  readonly maxBytes: number
  /** Most messages kept; the oldest go first. Default 10 000. */
  readonly maxMessages: number
  /** Each body is cut to this many bytes (head and tail, explicit marker). Default 1 MiB. */
  readonly maxBodyBytes: number
}

/** Defaults of {@link MailboxLimits}. */
export const DEFAULT_MAILBOX_LIMITS: MailboxLimits = {
  maxBytes: 16 * 1024 * 1024,
  maxMessages: 10_000,
  maxBodyBytes: 1024 * 1024,
}

/** Cuts a body to `maxBytes`; a body the backend already cut may keep its own marker on top. */
function boundBody(body: BoundedText, maxBytes: number): BoundedText {
  const marker = body.truncated ? utf8Length(truncationMarker(body.omittedBytes)) : 0
  const cut = boundText(body.text, maxBytes + marker)
  if (!cut.truncated) return body
  return {
    text: cut.text,
    totalBytes: body.totalBytes,
    truncated: true,
    omittedBytes: body.omittedBytes + cut.omittedBytes,
  }
}

/**
 * The bounded record of the mail a runtime captured, fed from its (already redacted) `mail.captured` events.
 * Memory stays within {@link MailboxLimits}; what was dropped (the oldest) is counted for the bundle.
 * Internal to runtime-core.
 */
export class Mailbox {
  readonly #limits: MailboxLimits
  #messages: CapturedMail[] = []
  #sizes: number[] = []
  #bytes = 0
  #next = 0
  #droppedRecords = 0
  #droppedBytes = 0

  constructor(limits: Partial<MailboxLimits> = {}) {
    this.#limits = { ...DEFAULT_MAILBOX_LIMITS, ...limits }
  }

  /** Kept messages, oldest first. */
  get messages(): readonly CapturedMail[] {
    return [...this.#messages]
  }

  /** Messages that fell out (the oldest) and their JSON size. */
  get dropped(): { readonly records: number; readonly bytes: number } {
    return { records: this.#droppedRecords, bytes: this.#droppedBytes }
  }

  /** Records the message a `mail.captured` event carries. Bound, so it can be an event listener. */
  readonly record = (event: RuntimeEventOf<'mail.captured'>): void => {
    const message: CapturedMail = Object.freeze({
      index: this.#next++,
      seq: event.seq,
      capturedAt: event.time,
      from: event.from,
      to: [...event.to],
      cc: [...event.cc],
      bcc: [...event.bcc],
      subject: event.subject,
      headers: [...event.headers],
      body: boundBody(event.body, this.#limits.maxBodyBytes),
      attachments: event.attachments.map((attachment) => ({ ...attachment })),
      command:
        event.command === undefined || event.commandIndex === undefined
          ? null
          : { index: event.commandIndex, command: event.command },
    })
    const size = jsonBytes(message)
    this.#messages.push(message)
    this.#sizes.push(size)
    this.#bytes += size
    while (
      this.#messages.length > 1 &&
      (this.#messages.length > this.#limits.maxMessages || this.#bytes > this.#limits.maxBytes)
    ) {
      const dropped = this.#sizes.shift() ?? 0
      this.#messages.shift()
      this.#bytes -= dropped
      this.#droppedBytes += dropped
      this.#droppedRecords += 1
    }
  }
}
