import { z } from 'zod'

/** Schema ids of every document in a bundle. */
export const SCHEMA_IDS = {
  manifest: 'codebox/bundle-manifest/v1',
  commandRecord: 'codebox/command-record/v1',
  eventRecord: 'codebox/event-record/v1',
  mailRecord: 'codebox/mail-record/v1',
  diagnostics: 'codebox/diagnostics/v1',
  pluginRuntimeDiagnostic: 'wp-codebox/plugin-runtime-diagnostic/v1',
  credentials: 'codebox/credentials/v1',
  changes: 'codebox/changes/v1',
  patch: 'codebox/unified-patch/v1',
  log: 'codebox/log/v1',
  changedFile: 'codebox/changed-file-content/v1',
  snapshot: 'codebox/runtime-snapshot/v1',
  truncationRecord: 'codebox/truncation-record/v1',
  attestation: 'codebox/attestation/v1',
  attestationStatement: 'codebox/attestation-statement/v1',
  verificationReport: 'codebox/verification-report/v1',
} as const

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lower-case hex SHA-256')
const count = z.number().int().nonnegative()
const isoTime = z.string().min(1)

/** Text that may have been cut to a byte budget; `text` carries an explicit truncation marker when cut. */
export const BoundedTextSchema = z.strictObject({
  text: z.string(),
  totalBytes: count,
  truncated: z.boolean(),
  omittedBytes: count,
})
/** See {@link BoundedTextSchema}. */
export type BoundedText = z.infer<typeof BoundedTextSchema>

/** How a command ended. */
export const CommandStatusSchema = z.enum(['ok', 'failed', 'timed-out', 'aborted', 'denied'])
/** See {@link CommandStatusSchema}. */
export type CommandStatus = z.infer<typeof CommandStatusSchema>

/** One line of `commands.jsonl` (`codebox/command-record/v1`). */
export const CommandRecordSchema = z.strictObject({
  index: count,
  id: z.string(),
  command: z.string(),
  args: z.unknown(),
  status: CommandStatusSchema,
  exitCode: z.number().int().nullable(),
  startedAt: isoTime,
  finishedAt: isoTime.nullable(),
  durationMs: z.number().nonnegative().nullable(),
  stdout: BoundedTextSchema,
  stderr: BoundedTextSchema,
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  /** Peak memory of the command's PHP requests in bytes, when the backend measured it. */
  peakMemoryBytes: count.optional(),
})
/** See {@link CommandRecordSchema}. */
export type CommandRecord = z.infer<typeof CommandRecordSchema>

/** A command as handed to `writeBundle`: like {@link CommandRecord}, but outputs may be plain strings. */
export const CommandRecordInputSchema = CommandRecordSchema.extend({
  index: count.optional(),
  stdout: z.union([z.string(), BoundedTextSchema]),
  stderr: z.union([z.string(), BoundedTextSchema]),
})
/** See {@link CommandRecordInputSchema}. */
export type CommandRecordInput = z.infer<typeof CommandRecordInputSchema>

/**
 * A line that stands in for records left out of `commands.jsonl`, `events.jsonl` or `mail.jsonl` (`codebox/truncation-record/v1`):
 * `history-cap` when the producer's bounded history had already dropped them (they were the oldest), `file-cap` when
 * the writer cut the middle of the file to its byte cap. `omittedBytes` counts their serialised bytes (for
 * `history-cap`, as far as the producer measured them).
 */
export const TruncationRecordSchema = z.strictObject({
  type: z.literal('codebox.truncated'),
  reason: z.enum(['history-cap', 'file-cap']),
  omittedRecords: count,
  omittedBytes: count,
})
/** See {@link TruncationRecordSchema}. */
export type TruncationRecord = z.infer<typeof TruncationRecordSchema>

/** One line of `events.jsonl` (`codebox/event-record/v1`): a JSON object with a dotted `type`. */
export const EventRecordSchema = z.looseObject({ type: z.string() })
/** See {@link EventRecordSchema}. */
export type EventRecord = z.infer<typeof EventRecordSchema>

/** A plugin-runtime diagnostic in the `wp-codebox/plugin-runtime-diagnostic/v1` shape. */
export const PluginRuntimeDiagnosticSchema = z.strictObject({
  schema: z.literal('wp-codebox/plugin-runtime-diagnostic/v1').optional(),
  severity: z.enum(['error', 'warning', 'info']),
  phase: z.enum(['setup', 'health-probe', 'runtime', 'boot']),
  name: z.string(),
  command: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  message: z.string(),
  executionIndex: count.nullable(),
})
/** See {@link PluginRuntimeDiagnosticSchema}. */
export type PluginRuntimeDiagnostic = z.infer<typeof PluginRuntimeDiagnosticSchema>

/** `diagnostics.json` (`codebox/diagnostics/v1`). */
export const DiagnosticsDocumentSchema = z.strictObject({
  schema: z.literal(SCHEMA_IDS.diagnostics),
  diagnosticSchema: z.literal(SCHEMA_IDS.pluginRuntimeDiagnostic),
  diagnostics: z.array(PluginRuntimeDiagnosticSchema),
})
/** See {@link DiagnosticsDocumentSchema}. */
export type DiagnosticsDocument = z.infer<typeof DiagnosticsDocumentSchema>

/** `credentials.json` (`codebox/credentials/v1`): redacted connector-credential envelopes. */
export const CredentialsDocumentSchema = z.strictObject({
  schema: z.literal(SCHEMA_IDS.credentials),
  credentials: z.array(z.unknown()),
})
/** See {@link CredentialsDocumentSchema}. */
export type CredentialsDocument = z.infer<typeof CredentialsDocumentSchema>

/** Whether a policy field is enforced by the backend (mirrors `@codebox/policy`'s `EnforcementStatus`). */
export const EnforcementStatusSchema = z.enum(['enforced', 'declared-only', 'not-applicable'])
/** See {@link EnforcementStatusSchema}. */
export type EnforcementStatus = z.infer<typeof EnforcementStatusSchema>

/** The effective policy of a run, its digest and per-field enforcement. */
export const PolicyRecordSchema = z.strictObject({
  effective: z.unknown(),
  digest: z.string().min(1),
  enforcement: z.record(
    z.string(),
    z.strictObject({ status: EnforcementStatusSchema, detail: z.string().optional() }),
  ),
})
/** See {@link PolicyRecordSchema}. */
export type PolicyRecord = z.infer<typeof PolicyRecordSchema>

/** One component the run depended on (WordPress build, PHP runtime, plugin, tool). */
export const ProvenanceComponentSchema = z.strictObject({
  kind: z.enum(['backend', 'runtime', 'wordpress', 'php', 'plugin', 'tool', 'template', 'layer']),
  name: z.string().min(1),
  version: z.string().optional(),
  sha256: z
    .string()
    .regex(/^(sha256:)?[0-9a-f]{64}$/, 'expected a SHA-256 as sha256:<hex> or bare lower-case hex')
    .optional(),
  source: z.string().optional(),
  /** For a loadable part (a PHP extension): whether the runtime loads it. */
  enabled: z.boolean().optional(),
  /** For a PHP module: the extensions PHP reports loaded. */
  extensions: z.array(z.string()).optional(),
})
/** See {@link ProvenanceComponentSchema}. */
export type ProvenanceComponent = z.infer<typeof ProvenanceComponentSchema>

/** Runtime provenance as given by the caller. */
export const ProvenanceInputSchema = z.strictObject({
  backend: z.strictObject({ name: z.string().min(1), version: z.string().min(1) }),
  components: z.array(ProvenanceComponentSchema),
})
/** See {@link ProvenanceInputSchema}. */
export type ProvenanceInput = z.infer<typeof ProvenanceInputSchema>

/** Runtime provenance as recorded: the caller's plus the producer (this package, Node, platform). */
export const ProvenanceSchema = ProvenanceInputSchema.extend({
  producer: z.strictObject({
    name: z.string(),
    version: z.string(),
    node: z.string(),
    platform: z.string(),
    arch: z.string(),
  }),
})
/** See {@link ProvenanceSchema}. */
export type Provenance = z.infer<typeof ProvenanceSchema>

/** Redaction counts: by kind, by declared secret name and by encoding. Never contains a value. */
export const RedactionSummarySchema = z.strictObject({
  total: count,
  byKind: z.record(z.string(), count),
  bySecret: z.record(z.string(), count),
  byEncoding: z.record(z.string(), count),
  secretsDeclared: count,
  shortSecrets: z.array(z.string()),
})
/** See {@link RedactionSummarySchema}. */
export type RedactionSummary = z.infer<typeof RedactionSummarySchema>

/** One file of the bundle as listed in the manifest. */
export const ManifestFileSchema = z.strictObject({
  path: z.string().min(1),
  size: count,
  sha256,
  mediaType: z.string().min(1),
  schema: z.string().optional(),
})
/** See {@link ManifestFileSchema}. */
export type ManifestFile = z.infer<typeof ManifestFileSchema>

/** A file left out of the bundle on purpose (see `admitSnapshot` for the snapshot's reasons). */
export const OmittedFileSchema = z.strictObject({
  path: z.string().min(1),
  reason: z.enum(['secrets-declared', 'credential-shape', 'unscannable', 'too-large']),
  detail: z.string(),
  size: count,
})
/** See {@link OmittedFileSchema}. */
export type OmittedFile = z.infer<typeof OmittedFileSchema>

/** `manifest.json` (`codebox/bundle-manifest/v1`). */
export const BundleManifestSchema = z.strictObject({
  schema: z.literal(SCHEMA_IDS.manifest),
  bundleId: z.string().min(1),
  createdAt: isoTime,
  provenance: ProvenanceSchema,
  policy: PolicyRecordSchema,
  inputs: z.unknown(),
  timings: z.record(z.string(), z.number()).optional(),
  metadata: z.unknown().optional(),
  counts: z.strictObject({
    commands: count,
    events: count,
    diagnostics: count,
    credentials: count,
    changedFiles: count,
    logs: count,
    /** Captured mail messages (absent in bundles from before mail capture). */
    mail: count.optional(),
  }),
  redaction: RedactionSummarySchema,
  /**
   * Cuts made to fit the caps: `strings` cut in place, `files` cut or left out for size, `records` of the JSON-lines
   * files stood in for by a {@link TruncationRecordSchema} line (absent in bundles from before it existed).
   */
  truncation: z.strictObject({
    strings: count,
    files: count,
    omittedBytes: count,
    records: count.optional(),
  }),
  /** Files the caller handed over that were left out on purpose, each with a reason. Absent when none. */
  omitted: z.array(OmittedFileSchema).optional(),
  files: z.array(ManifestFileSchema),
})
/** See {@link BundleManifestSchema}. */
export type BundleManifest = z.infer<typeof BundleManifestSchema>

/** One changed file of a readwrite mount, as recorded in `changes/files.json`. */
export const ChangedFileSchema = z.strictObject({
  mount: z.string(),
  path: z.string(),
  status: z.enum(['added', 'modified', 'deleted']),
  binary: z.boolean(),
  before: z.strictObject({ sha256, size: count }).nullable(),
  after: z
    .strictObject({ sha256, size: count, storedAs: z.string().nullable(), redactions: count })
    .nullable(),
  applicable: z.boolean(),
  reason: z.enum(['content-too-large', 'path-redacted']).optional(),
})
/** See {@link ChangedFileSchema}. */
export type ChangedFile = z.infer<typeof ChangedFileSchema>

/** `changes/files.json` (`codebox/changes/v1`). */
export const ChangesDocumentSchema = z.strictObject({
  schema: z.literal(SCHEMA_IDS.changes),
  mounts: z.array(z.strictObject({ id: z.string(), source: z.string(), target: z.string() })),
  files: z.array(ChangedFileSchema),
})
/** See {@link ChangesDocumentSchema}. */
export type ChangesDocument = z.infer<typeof ChangesDocumentSchema>

/** The signed statement inside `attestation.json` (`codebox/attestation-statement/v1`). */
export const AttestationStatementSchema = z.strictObject({
  schema: z.literal(SCHEMA_IDS.attestationStatement),
  bundleId: z.string().min(1),
  createdAt: isoTime,
  subjects: z.strictObject({
    manifest: z.strictObject({ path: z.literal('manifest.json'), sha256 }),
    commands: z.strictObject({ path: z.literal('commands.jsonl'), sha256 }),
  }),
  provenance: ProvenanceSchema,
  signer: z.strictObject({
    algorithm: z.literal('ed25519'),
    keyKind: z.enum(['ephemeral', 'provided']),
    assurance: z.enum(['integrity-only', 'signed']),
    publicKeySha256: sha256,
  }),
})
/** See {@link AttestationStatementSchema}. */
export type AttestationStatement = z.infer<typeof AttestationStatementSchema>

/** `attestation.json` (`codebox/attestation/v1`). */
export const AttestationSchema = z.strictObject({
  schema: z.literal(SCHEMA_IDS.attestation),
  statement: AttestationStatementSchema,
  signature: z.strictObject({
    algorithm: z.literal('ed25519'),
    publicKey: z.string().startsWith('-----BEGIN PUBLIC KEY-----'),
    value: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'expected a base64 Ed25519 signature'),
  }),
})
/** See {@link AttestationSchema}. */
export type Attestation = z.infer<typeof AttestationSchema>

/** Codes of problems `verifyBundle` can report. */
export const VerificationProblemCodeSchema = z.enum([
  'missing-file',
  'extra-file',
  'duplicate-entry',
  'hash-mismatch',
  'size-mismatch',
  'digest-mismatch',
  'provenance-mismatch',
  'bad-signature',
  'untrusted-key',
  'path-traversal',
  'symlink',
  'hardlink',
  'special-file',
  'invalid-document',
  'not-canonical',
  'too-large',
  'unreadable',
])
/** See {@link VerificationProblemCodeSchema}. */
export type VerificationProblemCode = z.infer<typeof VerificationProblemCodeSchema>

/** One problem found by `verifyBundle`. */
export const VerificationProblemSchema = z.strictObject({
  code: VerificationProblemCodeSchema,
  path: z.string().optional(),
  message: z.string(),
})
/** See {@link VerificationProblemSchema}. */
export type VerificationProblem = z.infer<typeof VerificationProblemSchema>

/** The typed result of `verifyBundle` (`codebox/verification-report/v1`). */
export interface VerificationReport {
  readonly schema: typeof SCHEMA_IDS.verificationReport
  /** True only when no problem was found. */
  readonly ok: boolean
  /** The path that was verified. */
  readonly path: string
  /** Which form the bundle has. */
  readonly format: 'directory' | 'tar.gz'
  /** Every problem found, in discovery order. */
  readonly problems: readonly VerificationProblem[]
  /** The parsed manifest, when it could be read and validated. */
  readonly manifest?: BundleManifest
  /** The parsed attestation, when it could be read and validated. */
  readonly attestation?: Attestation
  /** True when a `publicKey` was given and the attestation was signed by it. */
  readonly keyTrusted: boolean
  /** `integrity-only` for ephemeral keys; `signed` when made with a caller-provided key. */
  readonly assurance?: 'integrity-only' | 'signed'
}
