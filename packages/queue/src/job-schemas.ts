import { RECIPE_PHASES } from '@codebox/runtime-core'
import { z } from 'zod'

/** Schema id of the data of a recipe job (what travels through Redis). */
export const QUEUE_JOB_SCHEMA_ID = 'codebox/queue-job/v1'
/** Schema id of a job's result document. */
export const QUEUE_JOB_RESULT_SCHEMA_ID = 'codebox/queue-job-result/v1'
/** Schema id of a job's progress reports. */
export const QUEUE_JOB_PROGRESS_SCHEMA_ID = 'codebox/queue-job-progress/v1'

/**
 * A job id: letters, digits, `.`, `_` and `-`, up to 128, not all digits (BullMQ's own ids are numbers). The bundle
 * key is derived from it, so a retry of the job writes the same key.
 */
export const JobIdSchema = z
  .string({ error: 'jobId must be a string such as "build-1234"' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, {
    error: 'jobId must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit',
  })
  .refine((id) => !/^\d+$/.test(id), {
    error:
      'jobId must not be all digits (those are the ids BullMQ assigns itself); add a prefix such as "job-"',
  })

/** A key prefix inside the artifact store: path segments of letters, digits, `.`, `_` and `-`. */
export const KeyPrefixSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/, {
    error:
      'prefix must be path segments of letters, digits, ".", "_" or "-" separated by "/", e.g. "tenant-a/ci"',
  })
  .max(256)

/**
 * The data of a recipe job. Never a secret: a recipe names connectors and the worker resolves their values from
 * its own environment or secret provider.
 */
export const QueueJobDataSchema = z.strictObject({
  schema: z.literal(QUEUE_JOB_SCHEMA_ID),
  /** The recipe document, validated by the worker (`wp-codebox/workspace-recipe/v1`). */
  recipe: z.unknown(),
  /** Deadline of the whole recipe run (boot included) in ms; the run then ends `timed-out`. Default none. */
  timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  /** Where the bundle goes inside the worker's store (`<prefix>/<jobId>.tar.gz`), or `false` for no bundle. */
  artifacts: z.union([z.literal(false), z.strictObject({ prefix: KeyPrefixSchema.optional() })]).optional(),
  /** When the producer enqueued it (ISO 8601). */
  enqueuedAt: z.string(),
})

/** The data of a recipe job. */
export type QueueJobData = z.infer<typeof QueueJobDataSchema>

/**
 * How a job ended, as the result document says:
 * `ok` every phase passed; `failed` a step or probe failed, or credentials or the policy refused the run;
 * `invalid` the job or recipe is malformed (see `error.issues`); `timed-out` the job's `timeoutMs` passed;
 * `cancelled` the job was cancelled. None of them is retried.
 */
export const QueueJobStatusSchema = z.enum(['ok', 'failed', 'invalid', 'timed-out', 'cancelled'])
/** One of {@link QueueJobStatusSchema}. */
export type QueueJobStatus = z.infer<typeof QueueJobStatusSchema>

const IssueSchema = z.strictObject({ path: z.string(), message: z.string() })

/** A bundle as stored: where, how big, its SHA-256 (of the `.tar.gz` object) and the bundle's own id. */
export const StoredBundleSchema = z.strictObject({
  /** The object's URL (`s3://bucket/key` or `file:///dir/key`). */
  url: z.string(),
  /** Key inside the store. */
  key: z.string(),
  /** SHA-256 (hex) of the stored `.tar.gz`; a download must match it. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  /** The bundle's id (its manifest's `bundleId`). */
  bundleId: z.string(),
})
/** A bundle as stored. */
export type StoredBundle = z.infer<typeof StoredBundleSchema>

/**
 * The result document of a finished recipe job (`codebox/queue-job-result/v1`), the job's BullMQ return value.
 * `exitCode` means what `codebox run`'s does: 0 ok, 1 a step or probe failed, 2 invalid, 4 credentials missing,
 * 5 denied by policy, 6 timed out, 130 cancelled.
 */
export const QueueJobResultSchema = z.strictObject({
  schema: z.literal(QUEUE_JOB_RESULT_SCHEMA_ID),
  jobId: z.string(),
  status: QueueJobStatusSchema,
  exitCode: z.literal([0, 1, 2, 4, 5, 6, 130]),
  /** The recipe's label, when it could be read. */
  label: z.string().nullable(),
  /** First recipe phase that failed, or null. */
  failedPhase: z.enum(RECIPE_PHASES).nullable(),
  /** Why the run did not pass, when it did not run at all or stopped (code, message, path-precise issues). */
  error: z.strictObject({ code: z.string(), message: z.string(), issues: z.array(IssueSchema) }).nullable(),
  /** The recipe's `wp-codebox/plugin-runtime-diagnostic/v1` entries. */
  diagnostics: z.array(z.looseObject({ severity: z.string(), name: z.string(), message: z.string() })),
  /** Every planned step and what happened to it. */
  steps: z.array(
    z.strictObject({
      phase: z.enum(RECIPE_PHASES),
      name: z.string(),
      command: z.string(),
      status: z.string(),
      exitCode: z.number().nullable(),
      durationMs: z.number(),
    }),
  ),
  /** The uploaded bundle, or null (no bundle asked for, or the run never booted). */
  bundle: StoredBundleSchema.nullable(),
  /** Why the recipe's bundle could not be collected, if it could not. */
  bundleError: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  /**
   * Milliseconds: `queue.waitMs` (enqueued → started), `queue.runMs` (the recipe run with its bundle collected),
   * `queue.uploadMs`, `queue.totalMs` (started → result) and the recipe's own `recipe.<phase>Ms` and
   * `recipe.totalMs`.
   */
  timings: z.record(z.string(), z.number()),
  /** Which attempt this was (1 = first start; a stalled or retried job starts again). */
  attempt: z.number().int().min(1),
  /** The worker process that produced it. */
  worker: z.strictObject({ id: z.string(), hostname: z.string(), pid: z.number().int() }),
  finishedAt: z.string(),
})

/** The result document of a finished recipe job. */
export type QueueJobResult = z.infer<typeof QueueJobResultSchema>

/** What a job reports as its BullMQ progress while it runs. */
export const QueueJobProgressSchema = z.strictObject({
  schema: z.literal(QUEUE_JOB_PROGRESS_SCHEMA_ID),
  /** A recipe phase, or `collect` / `upload`. */
  phase: z.union([z.enum(RECIPE_PHASES), z.literal('collect'), z.literal('upload')]),
  state: z.enum(['started', 'ok', 'failed', 'skipped']),
  /** Phases finished so far, out of `total` (the recipe phases plus upload). */
  done: z.number().int().nonnegative(),
  total: z.number().int().positive(),
})
/** A progress report. */
export type QueueJobProgress = z.infer<typeof QueueJobProgressSchema>
