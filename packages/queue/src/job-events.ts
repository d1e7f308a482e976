import { EventEmitter, on } from 'node:events'
import type { QueueEvents } from 'bullmq'
import { type JobFailure, parseJobFailure } from './job-failure.js'
import {
  type QueueJobProgress,
  QueueJobProgressSchema,
  type QueueJobResult,
  QueueJobResultSchema,
} from './job-schemas.js'
import { CANCEL_EVENT } from './queue-names.js'

/** What happens to recipe jobs, as seen by producers (from BullMQ's `QueueEvents`). */
export type RecipeJobEvent =
  | { readonly type: 'job.waiting'; readonly jobId: string }
  | { readonly type: 'job.active'; readonly jobId: string }
  | { readonly type: 'job.progress'; readonly jobId: string; readonly progress: QueueJobProgress }
  /** The worker running it stopped renewing its lock (crashed or was killed); BullMQ hands the job on. */
  | { readonly type: 'job.stalled'; readonly jobId: string }
  /** An infrastructure failure: BullMQ retries the job after `delayMs` (its backoff). */
  | { readonly type: 'job.retrying'; readonly jobId: string; readonly delayMs: number }
  | { readonly type: 'job.cancel-requested'; readonly jobId: string }
  | { readonly type: 'job.completed'; readonly jobId: string; readonly result: QueueJobResult }
  /** Final: the job used up its attempts (or stalled too often) without a result. */
  | { readonly type: 'job.failed'; readonly jobId: string; readonly error: JobFailure }

/** Whether an event ends its job's story. */
export function isFinalEvent(event: RecipeJobEvent): boolean {
  return event.type === 'job.completed' || event.type === 'job.failed'
}

/**
 * Re-emits BullMQ's queue events as {@link RecipeJobEvent}s on one `event` channel, so each reader is Node's own
 * buffered `events.on()` iterator.
 */
export function recipeEventHub(events: QueueEvents): EventEmitter {
  const hub = new EventEmitter()
  hub.setMaxListeners(0)
  const emit = (event: RecipeJobEvent) => hub.emit('event', event)
  events.on('waiting', ({ jobId }) => emit({ type: 'job.waiting', jobId }))
  events.on('active', ({ jobId }) => emit({ type: 'job.active', jobId }))
  events.on('progress', ({ jobId, data }) => {
    const progress = QueueJobProgressSchema.safeParse(data)
    if (progress.success) emit({ type: 'job.progress', jobId, progress: progress.data })
  })
  events.on('stalled', ({ jobId }) => emit({ type: 'job.stalled', jobId }))
  events.on('delayed', ({ jobId, delay }) =>
    emit({ type: 'job.retrying', jobId, delayMs: Math.max(0, Number(delay) - Date.now()) }),
  )
  events.on('completed', ({ jobId, returnvalue }) => {
    const result = QueueJobResultSchema.safeParse(
      typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue,
    )
    if (result.success) emit({ type: 'job.completed', jobId, result: result.data })
  })
  events.on('failed', ({ jobId, failedReason }) =>
    emit({ type: 'job.failed', jobId, error: parseJobFailure(failedReason) }),
  )
  events.on(CANCEL_EVENT as 'waiting', (args: { jobId: string }) =>
    emit({ type: 'job.cancel-requested', jobId: args.jobId }),
  )
  return hub
}

/**
 * Reads `hub` from now on: every event, or one job's until its final event. The listener is attached at call time
 * (not at the first `next()`), so nothing published after the call is missed; `catchUp` may yield an event that had
 * already happened (a job that finished before the call). Ends when `signal` aborts or the reader stops.
 */
export function readEvents(
  hub: EventEmitter,
  options: {
    readonly jobId?: string
    readonly signal?: AbortSignal
    readonly ready: Promise<unknown>
    readonly catchUp?: () => Promise<RecipeJobEvent | undefined>
  },
): AsyncGenerator<RecipeJobEvent> {
  const controller = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal
  const iterator = on(hub, 'event', { signal }) as AsyncIterableIterator<[RecipeJobEvent]>
  async function* consume(): AsyncGenerator<RecipeJobEvent> {
    try {
      await options.ready
      const caught = await options.catchUp?.()
      if (caught) {
        yield caught
        if (isFinalEvent(caught)) return
      }
      for await (const [event] of iterator) {
        if (options.jobId !== undefined && event.jobId !== options.jobId) continue
        yield event
        if (options.jobId !== undefined && isFinalEvent(event)) return
      }
    } catch (error) {
      if ((error as { name?: string }).name === 'AbortError') return
      throw error
    } finally {
      controller.abort()
    }
  }
  return consume()
}
