import { z } from 'zod'
import { SAFE_SEGMENT_RE } from './bundle-paths.js'
import { MailRecordSchema } from './mail-record.js'
import {
  BoundedTextSchema,
  CommandRecordInputSchema,
  PluginRuntimeDiagnosticSchema,
  PolicyRecordSchema,
  ProvenanceInputSchema,
} from './schemas.js'

const bytes = z.instanceof(Uint8Array)
const relativePosixPath = z
  .string()
  .min(1)
  .refine(
    (p) =>
      !p.startsWith('/') &&
      !p.includes('\\') &&
      !p.includes('\0') &&
      p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'),
    'must be a normalised relative POSIX path',
  )

/** A readwrite mount whose changes are recorded. */
export const ChangeMountSchema = z.strictObject({
  /** Stable id, a single path segment (`[A-Za-z0-9._-]`). */
  id: z.string().regex(SAFE_SEGMENT_RE, 'must be a single safe path segment'),
  /** Host path of the mount. */
  source: z.string(),
  /** Path inside the runtime. */
  target: z.string(),
})

/** One changed file, relative to its mount, with its content before (baseline) and after the run. */
export const ChangedFileInputSchema = z.strictObject({
  mount: z.string(),
  path: relativePosixPath,
  status: z.enum(['added', 'modified', 'deleted']),
  before: bytes.optional(),
  after: bytes.optional(),
})

/** What readwrite mounts changed against the recorded baseline. */
export const ChangeSetInputSchema = z
  .strictObject({ mounts: z.array(ChangeMountSchema), files: z.array(ChangedFileInputSchema) })
  .superRefine((set, ctx) => {
    const ids = new Set(set.mounts.map((m) => m.id))
    if (ids.size !== set.mounts.length)
      ctx.addIssue({ code: 'custom', path: ['mounts'], message: 'mount ids must be unique' })
    const seen = new Set<string>()
    for (const [i, f] of set.files.entries()) {
      if (!ids.has(f.mount))
        ctx.addIssue({ code: 'custom', path: ['files', i, 'mount'], message: 'unknown mount id' })
      const key = `${f.mount}/${f.path}`
      if (seen.has(key))
        ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: 'file listed twice' })
      seen.add(key)
      const needBefore = f.status !== 'added'
      const needAfter = f.status !== 'deleted'
      if (needBefore !== (f.before !== undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['files', i, 'before'],
          message: `before is ${needBefore ? 'required' : 'not allowed'} for ${f.status} files`,
        })
      }
      if (needAfter !== (f.after !== undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['files', i, 'after'],
          message: `after is ${needAfter ? 'required' : 'not allowed'} for ${f.status} files`,
        })
      }
    }
  })
/** See {@link ChangeSetInputSchema}. */
export type ChangeSetInput = z.input<typeof ChangeSetInputSchema>

const DroppedRecordsSchema = z.strictObject({
  /** How many records were dropped. */
  records: z.number().int().nonnegative(),
  /** Their serialised size as far as the producer measured it. */
  bytes: z.number().int().nonnegative(),
})

/** Everything `writeBundle` records. Strings and bytes may contain secrets: all of it is redacted. */
export const BundleInputSchema = z.strictObject({
  provenance: ProvenanceInputSchema,
  policy: PolicyRecordSchema,
  inputs: z.unknown(),
  commands: z.array(CommandRecordInputSchema),
  events: z.array(z.looseObject({ type: z.string() })),
  /** Log files by name (a safe file name such as `php-error.log`, `boot.log`). */
  logs: z.record(z.string().regex(SAFE_SEGMENT_RE, 'must be a safe file name'), z.union([z.string(), bytes])),
  diagnostics: z.array(PluginRuntimeDiagnosticSchema),
  /** Connector-credential envelopes (redacted again here whatever their state). */
  credentials: z.array(z.unknown()),
  changes: ChangeSetInputSchema.optional(),
  /**
   * Messages the sandbox sent, captured instead of delivered; written to `mail.jsonl` (only when given). A body
   * may be a plain string.
   */
  mail: z.array(MailRecordSchema.extend({ body: z.union([z.string(), BoundedTextSchema]) })).optional(),
  /** Runtime snapshot bytes, stored as `snapshot/runtime-snapshot.bin`. */
  snapshot: bytes.optional(),
  timings: z.record(z.string(), z.number()).optional(),
  metadata: z.unknown().optional(),
  /**
   * Records the producer's bounded histories had already dropped (the oldest). Each becomes one `history-cap`
   * truncation record at the top of its file and is counted in `manifest.truncation`.
   */
  dropped: z
    .strictObject({
      commands: DroppedRecordsSchema.optional(),
      events: DroppedRecordsSchema.optional(),
      mail: DroppedRecordsSchema.optional(),
    })
    .optional(),
})
/** See {@link BundleInputSchema}. */
export type BundleInput = z.input<typeof BundleInputSchema>
