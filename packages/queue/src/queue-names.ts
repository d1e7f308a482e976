/** The BullMQ queue recipes go through unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'codebox-recipes'
/** BullMQ's key prefix (its own default). */
export const DEFAULT_QUEUE_PREFIX = 'bull'
/** The BullMQ job name of a recipe job. */
export const RECIPE_JOB_NAME = 'recipe'
/** The custom queue event a producer publishes to cancel a job on whichever worker runs it. */
export const CANCEL_EVENT = 'codebox.cancel'
/** How long a cancellation request is remembered for a job no worker has started yet. */
export const CANCEL_TTL_SECONDS = 7 * 24 * 3600

/** Where a job's pending cancellation is recorded: outside BullMQ's own `<prefix>:<queue>:<jobId>[:x]` keys. */
export function cancelKey(prefix: string, queueName: string, jobId: string): string {
  return `${prefix}:${queueName}:codebox:cancel:${jobId}`
}

/** The bundle's key in the store: derived from the job id only, so a retry writes the same key. */
export function bundleKey(jobId: string, prefix: string | undefined): string {
  return `${prefix ? `${prefix}/` : ''}${jobId}.tar.gz`
}
