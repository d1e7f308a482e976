import { isCodeboxError } from '@codebox/runtime-core'

/** Why a job ended in BullMQ's failed state (an infrastructure failure that used up its attempts). */
export interface JobFailure {
  /** A codebox error code such as `RESOURCE_UNAVAILABLE`, or `QUEUE_JOB_STALLED` / `QUEUE_WORKER_ERROR`. */
  readonly code: string
  readonly message: string
}

const CODED = /^([A-Z][A-Z0-9_]{2,}): ([\s\S]*)$/

/**
 * The message a worker fails a job with: `CODE: message`. BullMQ keeps only an error's message (`failedReason`), so
 * the code travels in it and {@link parseJobFailure} reads it back.
 */
export function failureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const code = isCodeboxError(error) ? error.code : 'QUEUE_WORKER_ERROR'
  return `${code}: ${message}`
}

/** Reads a BullMQ `failedReason` back into a code and message. */
export function parseJobFailure(reason: string | undefined): JobFailure {
  const text = reason ?? ''
  const match = CODED.exec(text)
  if (match?.[1] !== undefined && match[2] !== undefined) return { code: match[1], message: match[2] }
  // BullMQ's own reasons: a job that stalled more often than maxStalledCount, a lost lock.
  if (/stalled/i.test(text)) return { code: 'QUEUE_JOB_STALLED', message: text }
  return { code: 'QUEUE_WORKER_ERROR', message: text || 'the job failed without a reason' }
}
