import { randomUUID } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { arch, platform } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { admitSnapshot } from './admit-snapshot.js'
import { ArtifactsError } from './artifacts-error.js'
import { createAttestation, type SigningKeyInput } from './attestation.js'
import { boundBytes, boundText } from './bounded-text.js'
import { buildChanges } from './build-changes.js'
import { type BundleInput, BundleInputSchema } from './bundle-input.js'
import { BUNDLE_PATHS, mediaTypeFor } from './bundle-paths.js'
import { capCommands } from './cap-commands.js'
import { capJsonLines, truncationLine } from './cap-json-lines.js'
import { createRedactor, type Redactor } from './redactor.js'
import {
  type Attestation,
  type BoundedText,
  type BundleManifest,
  type CommandRecord,
  type ManifestFile,
  type OmittedFile,
  type Provenance,
  type RedactionSummary,
  SCHEMA_IDS,
} from './schemas.js'
import { jsonPath, sha256Hex, stableStringify } from './stable-json.js'
import { writeDirectoryAtomically, writeTarballAtomically } from './write-files-atomically.js'

/** Version recorded as the bundle producer. Keep in step with package.json. */
export const ARTIFACTS_VERSION = '0.1.0'

/** Size caps applied while writing; every cut is marked in place and counted in `manifest.truncation`. */
export interface BundleLimits {
  /** Any string inside a JSON document (args, events, diagnostics, inputs…). Default 64 KiB. */
  maxStringBytes: number
  /** Each command's stdout and stderr text. Default 1 MiB. */
  maxOutputBytes: number
  /** Each log, the patch, and each stored changed file (larger changed files are recorded, not stored). Default 16 MiB. */
  maxFileBytes: number
  /** The runtime snapshot, compressed and decompressed; a larger snapshot is left out and counted. Default 512 MiB. */
  maxSnapshotBytes: number
  /**
   * The whole of `commands.jsonl`. Over it, command outputs are dropped (those of the first and last commands are
   * kept first), then records from the middle are replaced by one truncation record. Default 64 MiB; at least 4 KiB.
   */
  maxCommandsBytes: number
  /** The whole of `events.jsonl`; over it the middle is replaced by one truncation record. Default 32 MiB; at least 4 KiB. */
  maxEventsBytes: number
  /**
   * The whole of `mail.jsonl`; over it the middle is replaced by one truncation record (each body is already cut to
   * `maxOutputBytes`). Default 16 MiB; at least 4 KiB.
   */
  maxMailBytes: number
}

/** Defaults of {@link BundleLimits}. */
export const DEFAULT_BUNDLE_LIMITS: Readonly<BundleLimits> = {
  maxStringBytes: 64 * 1024,
  maxOutputBytes: 1024 * 1024,
  maxFileBytes: 16 * 1024 * 1024,
  maxSnapshotBytes: 512 * 1024 * 1024,
  maxCommandsBytes: 64 * 1024 * 1024,
  maxEventsBytes: 32 * 1024 * 1024,
  maxMailBytes: 16 * 1024 * 1024,
}

/** Smallest accepted `maxCommandsBytes` / `maxEventsBytes` / `maxMailBytes`: room for a truncation record and a few lines. */
const MIN_JSON_LINES_BYTES = 4 * 1024

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

interface Counters {
  strings: number
  files: number
  omittedBytes: number
  records: number
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
  const limits: BundleLimits = { ...DEFAULT_BUNDLE_LIMITS, ...options.limits }
  for (const key of ['maxCommandsBytes', 'maxEventsBytes', 'maxMailBytes'] as const) {
    if (!(limits[key] >= MIN_JSON_LINES_BYTES)) {
      throw new ArtifactsError('BUNDLE_INPUT_INVALID', `limits.${key} is too small.`, {
        issues: [{ path: `$.limits.${key}`, message: `must be at least ${MIN_JSON_LINES_BYTES} bytes` }],
      })
    }
  }
  const redactor = options.redactor ?? createRedactor()
  const bundleId = options.bundleId ?? randomUUID()
  const createdAt = options.createdAt ?? new Date().toISOString()
  const target = bundleTarget(options, bundleId, format)
  const counters: Counters = { strings: 0, files: 0, omittedBytes: 0, records: 0 }
  const omitted: OmittedFile[] = []

  const boundStrings = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const b = boundText(value, limits.maxStringBytes)
      if (b.truncated) {
        counters.strings++
        counters.omittedBytes += b.omittedBytes
      }
      return b.text
    }
    if (Array.isArray(value)) return value.map(boundStrings)
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, boundStrings(v)]))
    }
    return value
  }
  const json = <T>(value: T): T => boundStrings(redactor.redactJson(value)) as T
  const output = (value: string | BoundedText): BoundedText => {
    const given: BoundedText =
      typeof value === 'string'
        ? { text: value, totalBytes: Buffer.byteLength(value), truncated: false, omittedBytes: 0 }
        : value
    const cut = boundText(redactor.redactText(given.text), limits.maxOutputBytes)
    if (cut.truncated) {
      counters.strings++
      counters.omittedBytes += cut.omittedBytes
    }
    return {
      text: cut.text,
      totalBytes: given.totalBytes,
      truncated: given.truncated || cut.truncated,
      omittedBytes: given.omittedBytes + cut.omittedBytes,
    }
  }

  const files = new Map<string, { bytes: Uint8Array; schema?: string; mediaType?: string }>()
  const finalPass = (path: string, bytes: Uint8Array): Uint8Array => {
    const again = redactor.redactBytes(bytes)
    if (Buffer.compare(again, bytes) === 0) return bytes
    if (/\.jsonl?$/.test(path)) {
      try {
        for (const line of Buffer.from(again).toString('utf8').split('\n')) if (line) JSON.parse(line)
      } catch (cause) {
        throw new ArtifactsError(
          'REDACTION_FAILED',
          `Redaction would corrupt ${path}; refusing to write it.`,
          {
            cause,
            details: { path },
          },
        )
      }
    }
    return again
  }
  const put = (path: string, bytes: Uint8Array, schema?: string, mediaType?: string): void => {
    files.set(path, {
      bytes: finalPass(path, bytes),
      ...(schema ? { schema } : {}),
      ...(mediaType ? { mediaType } : {}),
    })
  }
  const line = (value: unknown): string => `${stableStringify(value)}\n`
  const jsonLines = (lines: readonly string[]): Uint8Array => Buffer.from(lines.join(''), 'utf8')
  /** The `history-cap` record for what the producer dropped, counted; it is always kept. */
  const droppedLine = (dropped: { records: number; bytes: number } | undefined): string[] => {
    if (!dropped || dropped.records === 0) return []
    counters.records += dropped.records
    counters.omittedBytes += dropped.bytes
    return [truncationLine('history-cap', dropped.records, dropped.bytes)]
  }
  const byteSum = (lines: readonly string[]): number =>
    lines.reduce((sum, l) => sum + Buffer.byteLength(l, 'utf8'), 0)
  /** Cuts the middle of a JSON-lines file to `maxBytes` (after the always-kept prefix), counted. */
  const capLines = (prefix: string[], lines: readonly string[], maxBytes: number): string[] => {
    const capped = capJsonLines(lines, maxBytes - byteSum(prefix))
    if (capped.omittedRecords > 0) {
      counters.records += capped.omittedRecords
      counters.omittedBytes += capped.omittedBytes
    }
    return [...prefix, ...capped.lines]
  }
  const jsonDoc = (value: unknown): Uint8Array => Buffer.from(`${stableStringify(value, 2)}\n`, 'utf8')

  const commands: CommandRecord[] = data.commands.map((c, i) => ({
    index: c.index ?? i,
    id: json(c.id),
    command: json(c.command),
    args: json(c.args),
    status: c.status,
    exitCode: c.exitCode,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    durationMs: c.durationMs,
    stdout: output(c.stdout),
    stderr: output(c.stderr),
    ...(c.error ? { error: json(c.error) } : {}),
  }))
  const commandsPrefix = droppedLine(data.dropped?.commands)
  put(
    BUNDLE_PATHS.commands,
    jsonLines(
      capCommands(commands, limits.maxCommandsBytes - byteSum(commandsPrefix), counters, line, (lines) =>
        capLines(commandsPrefix, lines, limits.maxCommandsBytes),
      ),
    ),
    SCHEMA_IDS.commandRecord,
  )
  put(
    BUNDLE_PATHS.events,
    jsonLines(
      capLines(
        droppedLine(data.dropped?.events),
        data.events.map((e) => line(json(e))),
        limits.maxEventsBytes,
      ),
    ),
    SCHEMA_IDS.eventRecord,
  )
  if (data.mail) {
    const mail = data.mail.map((m) => line({ ...json({ ...m, body: '' }), body: output(m.body) }))
    put(
      BUNDLE_PATHS.mail,
      jsonLines(capLines(droppedLine(data.dropped?.mail), mail, limits.maxMailBytes)),
      SCHEMA_IDS.mailRecord,
    )
  }

  const logNames = Object.keys(data.logs).sort()
  for (const logName of logNames) {
    const raw = data.logs[logName]!
    const bytes = redactor.redactBytes(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw)
    const cut = boundBytes(bytes, limits.maxFileBytes)
    if (cut.omittedBytes > 0) {
      counters.files++
      counters.omittedBytes += cut.omittedBytes
    }
    const safeName = redactor.redactText(logName)
    put(`${BUNDLE_PATHS.logsDir}/${safeName}`, cut.bytes, SCHEMA_IDS.log, 'text/plain; charset=utf-8')
  }

  put(
    BUNDLE_PATHS.diagnostics,
    jsonDoc({
      schema: SCHEMA_IDS.diagnostics,
      diagnosticSchema: SCHEMA_IDS.pluginRuntimeDiagnostic,
      diagnostics: json(data.diagnostics),
    }),
    SCHEMA_IDS.diagnostics,
  )
  put(
    BUNDLE_PATHS.credentials,
    jsonDoc({ schema: SCHEMA_IDS.credentials, credentials: json(data.credentials) }),
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
      if (f.reason === 'content-too-large') {
        counters.files++
        counters.omittedBytes += f.after?.size ?? 0
      }
    }
    const patch = boundBytes(Buffer.from(redactor.redactText(built.patch), 'utf8'), limits.maxFileBytes)
    if (patch.omittedBytes > 0) {
      counters.files++
      counters.omittedBytes += patch.omittedBytes
    }
    put(BUNDLE_PATHS.patch, patch.bytes, SCHEMA_IDS.patch)
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
      if (admission.reason === 'too-large') {
        counters.files++
        counters.omittedBytes += data.snapshot.byteLength
      }
      omitted.push({
        path: BUNDLE_PATHS.snapshot,
        reason: admission.reason,
        detail: admission.detail,
        size: data.snapshot.byteLength,
      })
    }
  }

  const provenance: Provenance = json({
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
  const policy = json(data.policy)
  const inputs = json(data.inputs)
  const metadata = data.metadata === undefined ? undefined : json(data.metadata)
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
    truncation: { ...counters },
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
  await mkdir(dirname(target), { recursive: true })
  if (format === 'directory') await writeDirectoryAtomically(target, ordered)
  else await writeTarballAtomically(target, ordered, createdAt)
  return { path: target, format, bundleId, manifest, attestation, redaction, omitted }
}

function bundleTarget(options: WriteBundleOptions, bundleId: string, format: 'directory' | 'tar.gz'): string {
  if (options.path !== undefined) return resolve(options.path)
  if (options.directory === undefined) {
    throw new ArtifactsError('BUNDLE_INPUT_INVALID', 'Either `directory` or `path` is required.', {
      issues: [{ path: '$.directory', message: 'required when `path` is not given' }],
    })
  }
  return join(resolve(options.directory), bundleName(options.name ?? `codebox-bundle-${bundleId}`, format))
}

function bundleName(name: string, format: 'directory' | 'tar.gz'): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(name)) {
    throw new ArtifactsError(
      'BUNDLE_INPUT_INVALID',
      'The bundle name must be a plain file name not starting with a dot.',
      {
        issues: [{ path: '$.name', message: 'must match /^[A-Za-z0-9][A-Za-z0-9._-]*$/' }],
      },
    )
  }
  return format === 'tar.gz' && !name.endsWith('.tar.gz') ? `${name}.tar.gz` : name
}
