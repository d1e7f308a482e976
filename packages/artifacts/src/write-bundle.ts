import { randomUUID } from 'node:crypto'
import { arch, platform } from 'node:os'
import { admitSnapshot } from './admit-snapshot.js'
import { ArtifactsError } from './artifacts-error.js'
import { createAttestation, type SigningKeyInput } from './attestation.js'
import { buildChanges } from './build-changes.js'
import { BundleCaps } from './bundle-caps.js'
import { type BundleInput, BundleInputSchema } from './bundle-input.js'
import { type BundleLimits, resolveBundleLimits } from './bundle-limits.js'
import { BUNDLE_PATHS, mediaTypeFor } from './bundle-paths.js'
import { createRedactor, type Redactor } from './redactor.js'
import type {
  Attestation,
  BundleManifest,
  CommandRecord,
  ManifestFile,
  OmittedFile,
  Provenance,
  RedactionSummary,
} from './schemas.js'
import { SCHEMA_IDS } from './schemas.js'
import { jsonPath, sha256Hex, stableStringify } from './stable-json.js'
import { bundleTarget, writeBundleFiles } from './write-bundle-files.js'

/** Version recorded as the bundle producer. Keep in step with package.json. */
export const ARTIFACTS_VERSION = '0.1.0'

/** Options of {@link writeBundle}. */
export interface WriteBundleOptions {
  /**
   * Parent directory of the bundle; created if missing. The bundle itself is `<directory>/<name>`.
   * Give either `directory` or `path`.
   */
  directory?: string
  /** File or directory name of the bundle inside `directory`. Default `codebox-bundle-<bundleId>` (plus `.tar.gz`). */
  name?: string
  /** Exact path of the bundle (directory, or tarball file). Its parent is created if missing. Overrides `directory`. */
  path?: string
  /** `directory` (default) or a single `tar.gz` file with identical content. */
  format?: 'directory' | 'tar.gz'
  /** Redactor holding the run's declared secrets. Default: a fresh one (credential shapes only). */
  redactor?: Redactor
  /** Ed25519 private key (KeyObject or PEM). Default: an ephemeral key, making the attestation integrity-only. */
  signingKey?: SigningKeyInput
  /** Size caps; see {@link DEFAULT_BUNDLE_LIMITS}. */
  limits?: Partial<BundleLimits>
  /** Bundle id. Default: a random UUID. Set it only for reproducible output. */
  bundleId?: string
  /** Creation time (ISO 8601). Default: now. Set it only for reproducible output. */
  createdAt?: string
}

/** Result of {@link writeBundle}. */
export interface WriteBundleResult {
  /** Absolute path of the bundle directory or tarball. */
  readonly path: string
  readonly format: 'directory' | 'tar.gz'
  readonly bundleId: string
  readonly manifest: BundleManifest
  readonly attestation: Attestation
  /** Redaction counts (never values); the same summary is in the manifest. */
  readonly redaction: RedactionSummary
  /** Files handed over but left out on purpose (for example the snapshot while secrets are declared). */
  readonly omitted: readonly OmittedFile[]
}

/**
 * Writes a complete, redacted, attested bundle atomically: everything is written into a hidden sibling
 * (`.<name>.tmp-<random>`) and moved into place in one step, so a crash leaves either the whole bundle or none.
 * Refuses (`BUNDLE_EXISTS`) when the target exists.
 *
 * @example
 * const { path, manifest } = await writeBundle(input, { directory: './artifacts', redactor, format: 'tar.gz' })
 */
export async function writeBundle(
  input: BundleInput,
  options: WriteBundleOptions,
): Promise<WriteBundleResult> {
  const parsed = BundleInputSchema.safeParse(input)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message }))
    throw new ArtifactsError('BUNDLE_INPUT_INVALID', 'The bundle input is invalid.', { issues })
  }
  const data = parsed.data
  const format = options.format ?? 'directory'
  const limits = resolveBundleLimits(options.limits)
  const redactor = options.redactor ?? createRedactor()
  const bundleId = options.bundleId ?? randomUUID()
  const createdAt = options.createdAt ?? new Date().toISOString()
  const target = bundleTarget(options, bundleId, format)
  const caps = new BundleCaps(limits, redactor)
  const omitted: OmittedFile[] = []

  const files = new Map<string, { bytes: Uint8Array; schema?: string; mediaType?: string }>()
  const put = (path: string, bytes: Uint8Array, schema?: string, mediaType?: string): void => {
    files.set(path, {
      bytes: finalPass(redactor, path, bytes),
      ...(schema ? { schema } : {}),
      ...(mediaType ? { mediaType } : {}),
    })
  }
  const jsonDoc = (value: unknown): Uint8Array => Buffer.from(`${stableStringify(value, 2)}\n`, 'utf8')

  const commands: CommandRecord[] = data.commands.map((c, i) => ({
    index: c.index ?? i,
    id: caps.json(c.id),
    command: caps.json(c.command),
    args: caps.json(c.args),
    status: c.status,
    exitCode: c.exitCode,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    durationMs: c.durationMs,
    stdout: caps.output(c.stdout),
    stderr: caps.output(c.stderr),
    ...(c.error ? { error: caps.json(c.error) } : {}),
  }))
  put(BUNDLE_PATHS.commands, caps.commandsFile(commands, data.dropped?.commands), SCHEMA_IDS.commandRecord)
  put(BUNDLE_PATHS.events, caps.eventsFile(data.events, data.dropped?.events), SCHEMA_IDS.eventRecord)
  if (data.mail) put(BUNDLE_PATHS.mail, caps.mailFile(data.mail, data.dropped?.mail), SCHEMA_IDS.mailRecord)

  const logNames = Object.keys(data.logs).sort()
  for (const logName of logNames) {
    const raw = data.logs[logName]!
    const bytes = caps.file(redactor.redactBytes(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw))
    const safeName = redactor.redactText(logName)
    put(`${BUNDLE_PATHS.logsDir}/${safeName}`, bytes, SCHEMA_IDS.log, 'text/plain; charset=utf-8')
  }

  put(
    BUNDLE_PATHS.diagnostics,
    jsonDoc({
      schema: SCHEMA_IDS.diagnostics,
      diagnosticSchema: SCHEMA_IDS.pluginRuntimeDiagnostic,
      diagnostics: caps.json(data.diagnostics),
    }),
    SCHEMA_IDS.diagnostics,
  )
  put(
    BUNDLE_PATHS.credentials,
    jsonDoc({ schema: SCHEMA_IDS.credentials, credentials: caps.json(data.credentials) }),
    SCHEMA_IDS.credentials,
  )

  let changedFiles = 0
  if (data.changes) {
    const built = buildChanges(data.changes, redactor, {
      maxFileBytes: limits.maxFileBytes,
      maxDiffBytes: Math.min(limits.maxFileBytes, 4 * 1024 * 1024),
    })
    changedFiles = built.document.files.length
    for (const f of built.document.files) {
      if (f.reason === 'content-too-large') caps.omittedFile(f.after?.size ?? 0)
    }
    put(
      BUNDLE_PATHS.patch,
      caps.file(Buffer.from(redactor.redactText(built.patch), 'utf8')),
      SCHEMA_IDS.patch,
    )
    put(BUNDLE_PATHS.changes, jsonDoc(built.document), SCHEMA_IDS.changes)
    for (const [path, bytes] of built.stored) put(path, bytes, SCHEMA_IDS.changedFile)
  }

  if (data.snapshot) {
    // Stored unchanged or not at all: redacting bytes inside an archive or a database would corrupt it.
    const admission = admitSnapshot(data.snapshot, { redactor, maxBytes: limits.maxSnapshotBytes })
    if (admission.admit) {
      files.set(BUNDLE_PATHS.snapshot, {
        bytes: data.snapshot,
        schema: SCHEMA_IDS.snapshot,
        mediaType: 'application/octet-stream',
      })
    } else {
      if (admission.reason === 'too-large') caps.omittedFile(data.snapshot.byteLength)
      omitted.push({
        path: BUNDLE_PATHS.snapshot,
        reason: admission.reason,
        detail: admission.detail,
        size: data.snapshot.byteLength,
      })
    }
  }

  const provenance: Provenance = caps.json({
    backend: data.provenance.backend,
    components: data.provenance.components,
    producer: {
      name: '@codebox/artifacts',
      version: ARTIFACTS_VERSION,
      node: process.version,
      platform: platform(),
      arch: arch(),
    },
  })
  const listing: ManifestFile[] = [...files.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, f]) => ({
      path,
      size: f.bytes.byteLength,
      sha256: sha256Hex(f.bytes),
      mediaType: f.mediaType ?? mediaTypeFor(path, f.bytes),
      ...(f.schema ? { schema: f.schema } : {}),
    }))
  const policy = caps.json(data.policy)
  const inputs = caps.json(data.inputs)
  const metadata = data.metadata === undefined ? undefined : caps.json(data.metadata)
  const redaction = redactor.summary()
  const manifest: BundleManifest = {
    schema: SCHEMA_IDS.manifest,
    bundleId,
    createdAt,
    provenance,
    policy,
    inputs: inputs ?? null,
    ...(data.timings ? { timings: data.timings } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    counts: {
      commands: commands.length,
      events: data.events.length,
      diagnostics: data.diagnostics.length,
      credentials: data.credentials.length,
      changedFiles,
      logs: logNames.length,
      ...(data.mail ? { mail: data.mail.length } : {}),
    },
    redaction,
    truncation: caps.truncation,
    ...(omitted.length > 0 ? { omitted } : {}),
    files: listing,
  }
  const manifestBytes = jsonDoc(manifest)
  if (Buffer.compare(redactor.redactBytes(manifestBytes), manifestBytes) !== 0) {
    throw new ArtifactsError('REDACTION_FAILED', 'The manifest still matched a secret after redaction.')
  }
  const attestation = createAttestation({
    bundleId,
    createdAt,
    manifestSha256: sha256Hex(manifestBytes),
    commandsSha256: listing.find((f) => f.path === BUNDLE_PATHS.commands)!.sha256,
    provenance,
    ...(options.signingKey ? { signingKey: options.signingKey } : {}),
  })
  const ordered: [string, Uint8Array][] = [
    ...listing.map((f): [string, Uint8Array] => [f.path, files.get(f.path)!.bytes]),
    [BUNDLE_PATHS.manifest, manifestBytes],
    [BUNDLE_PATHS.attestation, jsonDoc(attestation)],
  ]
  await writeBundleFiles(target, format, ordered, createdAt)
  return { path: target, format, bundleId, manifest, attestation, redaction, omitted }
}

/**
 * Redacts a file's bytes once more as a whole (a secret may only appear across the parts it was built from);
 * refuses (`REDACTION_FAILED`) when that would break a JSON or JSON-lines file.
 */
function finalPass(redactor: Redactor, path: string, bytes: Uint8Array): Uint8Array {
  const again = redactor.redactBytes(bytes)
  if (Buffer.compare(again, bytes) === 0) return bytes
  if (/\.jsonl?$/.test(path)) {
    try {
      for (const line of Buffer.from(again).toString('utf8').split('\n')) if (line) JSON.parse(line)
    } catch (cause) {
      throw new ArtifactsError('REDACTION_FAILED', `Redaction would corrupt ${path}; refusing to write it.`, {
        cause,
        details: { path },
      })
    }
  }
  return again
}
