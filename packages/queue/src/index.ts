export type { ArtifactStore, StoreCallOptions, StoredObject } from './artifact-store.js'
export type { DownloadedBundle } from './download-bundle.js'
export { downloadBundle } from './download-bundle.js'
export { createFilesystemArtifactStore } from './filesystem-artifact-store.js'
export type { RecipeJobEvent } from './job-events.js'
export type { JobFailure } from './job-failure.js'
export type {
  QueueJobData,
  QueueJobProgress,
  QueueJobResult,
  QueueJobStatus,
  StoredBundle,
} from './job-schemas.js'
export {
  QUEUE_JOB_PROGRESS_SCHEMA_ID,
  QUEUE_JOB_RESULT_SCHEMA_ID,
  QUEUE_JOB_SCHEMA_ID,
  QueueJobDataSchema,
  QueueJobProgressSchema,
  QueueJobResultSchema,
  QueueJobStatusSchema,
  StoredBundleSchema,
} from './job-schemas.js'
export type { OpenArtifactStoreOptions } from './open-artifact-store.js'
export { openArtifactStore } from './open-artifact-store.js'
export type { QueueErrorCode, QueueIssue } from './queue-error.js'
export { QueueError } from './queue-error.js'
export { DEFAULT_QUEUE_NAME, DEFAULT_QUEUE_PREFIX } from './queue-names.js'
export type {
  CreateRecipeQueueOptions,
  EnqueueOptions,
  FinishedRecipeJob,
  RecipeJobState,
  RecipeQueue,
} from './recipe-queue.js'
export { createRecipeQueue } from './recipe-queue.js'
export type { CreateRecipeWorkerOptions, RecipeWorker, RecipeWorkerEvent } from './recipe-worker.js'
export { createRecipeWorker } from './recipe-worker.js'
export { redactUrl } from './redact-url.js'
export type { RedisConnection } from './redis-connection.js'
export type { S3ArtifactStoreOptions } from './s3-artifact-store.js'
