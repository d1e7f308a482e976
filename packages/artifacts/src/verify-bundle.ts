import type { z } from 'zod'
import { checkAttestationSignature, type PublicKeyInput } from './attestation.js'
import { BUNDLE_PATHS } from './bundle-paths.js'
import { MailRecordSchema } from './mail-record.js'
import { type ReadBundleResult, readBundle } from './read-bundle.js'
import {
  type Attestation,
  AttestationSchema,
  type BundleManifest,
  BundleManifestSchema,
  ChangesDocumentSchema,
  CommandRecordSchema,
  CredentialsDocumentSchema,
  DiagnosticsDocumentSchema,
  EventRecordSchema,
  SCHEMA_IDS,
  TruncationRecordSchema,
  type VerificationProblem,
  type VerificationReport,
} from './schemas.js'
import { stableStringify } from './stable-json.js'

/** Options for {@link verifyBundle}. */
export interface VerifyBundleOptions {
  /** When given, the attestation must be signed by this key (else `untrusted-key`). */
  publicKey?: PublicKeyInput
  /** Largest JSON document read into memory, in bytes. Default 256 MiB. */
  maxDocumentBytes?: number
}

const DOCUMENTS = new Set<string>([
  BUNDLE_PATHS.manifest,
  BUNDLE_PATHS.attestation,
  BUNDLE_PATHS.commands,
  BUNDLE_PATHS.events,
  BUNDLE_PATHS.mail,
  BUNDLE_PATHS.diagnostics,
  BUNDLE_PATHS.credentials,
  BUNDLE_PATHS.changes,
])

/** @internal Full inspection result, shared with `applyBundleChanges`. */
export interface BundleInspection {
  readonly report: VerificationReport
  readonly read: ReadBundleResult
}

function parseJson(bytes: Buffer | undefined): { ok: true; value: unknown } | { ok: false; message: string } {
  if (!bytes) return { ok: false, message: 'not readable' }
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) }
  } catch (e) {
    return { ok: false, message: (e as Error).message }
  }
}

function zodMessage(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 5)
    .map(
      (i) =>
        `$${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`,
    )
    .join('; ')
}

/** Parses one of the bundle's own documents against its schema, recording a problem for whatever is wrong. */
function readDocument<T>(
  entry: { readonly content?: Buffer | undefined } | undefined,
  path: string,
  name: string,
  schema: z.ZodType<T>,
  problems: VerificationProblem[],
): T | undefined {
  if (!entry) {
    problems.push({ code: 'missing-file', path, message: `${name} is missing` })
    return undefined
  }
  const parsed = parseJson(entry.content)
  if (!parsed.ok) {
    problems.push({ code: 'invalid-document', path, message: parsed.message })
    return undefined
  }
  const result = schema.safeParse(parsed.value)
  if (!result.success) {
    problems.push({ code: 'invalid-document', path, message: zodMessage(result.error) })
    return undefined
  }
  return result.data
}

/** @internal Reads and checks a bundle, keeping the extra files `keep` selects. */
export async function inspectBundle(
  path: string,
  options: VerifyBundleOptions & { keep?: (path: string) => boolean } = {},
): Promise<BundleInspection> {
  const read = await readBundle(path, {
    keep: (p) => DOCUMENTS.has(p) || (options.keep?.(p) ?? false),
    maxKeepBytes: options.maxDocumentBytes ?? 256 * 1024 * 1024,
  })
  const problems: VerificationProblem[] = [...read.problems]
  const { entries } = read
  if (problems.some((p) => p.path === '.')) {
    // The bundle root itself is unusable: nothing else can be meaningfully checked.
    const report: VerificationReport = {
      schema: SCHEMA_IDS.verificationReport,
      ok: false,
      path,
      format: read.format,
      problems,
      keyTrusted: false,
    }
    return { report, read }
  }
  let manifest: BundleManifest | undefined
  let attestation: Attestation | undefined

  const manifestEntry = entries.get(BUNDLE_PATHS.manifest)
  manifest = readDocument(manifestEntry, BUNDLE_PATHS.manifest, 'manifest', BundleManifestSchema, problems)

  const attestationEntry = entries.get(BUNDLE_PATHS.attestation)
  const parsedAttestation = readDocument(
    attestationEntry,
    BUNDLE_PATHS.attestation,
    'attestation',
    AttestationSchema,
    problems,
  )
  if (parsedAttestation) {
    if (`${stableStringify(parsedAttestation, 2)}\n` !== attestationEntry!.content!.toString('utf8')) {
      problems.push({
        code: 'not-canonical',
        path: BUNDLE_PATHS.attestation,
        message: 'attestation is not in canonical form',
      })
    } else attestation = parsedAttestation
  }

  if (attestation) {
    const check = checkAttestationSignature(attestation, options.publicKey)
    if (!check.ok) problems.push({ code: check.code, path: BUNDLE_PATHS.attestation, message: check.message })
    const subjects = attestation.statement.subjects
    if (manifestEntry && subjects.manifest.sha256 !== manifestEntry.sha256) {
      problems.push({
        code: 'digest-mismatch',
        path: BUNDLE_PATHS.manifest,
        message: 'manifest digest differs from the attested digest',
      })
    }
    const commandsEntry = entries.get(BUNDLE_PATHS.commands)
    if (commandsEntry && subjects.commands.sha256 !== commandsEntry.sha256) {
      problems.push({
        code: 'digest-mismatch',
        path: BUNDLE_PATHS.commands,
        message: 'command trace digest differs from the attested digest',
      })
    }
    if (manifest) {
      if (stableStringify(manifest.provenance) !== stableStringify(attestation.statement.provenance)) {
        problems.push({
          code: 'provenance-mismatch',
          path: BUNDLE_PATHS.attestation,
          message: 'attested provenance differs from the manifest',
        })
      }
      if (manifest.bundleId !== attestation.statement.bundleId) {
        problems.push({
          code: 'provenance-mismatch',
          path: BUNDLE_PATHS.attestation,
          message: 'attested bundle id differs from the manifest',
        })
      }
    }
  }

  if (manifest) {
    const listed = new Set<string>()
    for (const file of manifest.files) {
      if (listed.has(file.path)) {
        problems.push({ code: 'duplicate-entry', path: file.path, message: 'listed twice in the manifest' })
        continue
      }
      listed.add(file.path)
      if (file.path === BUNDLE_PATHS.manifest || file.path === BUNDLE_PATHS.attestation) {
        problems.push({
          code: 'invalid-document',
          path: file.path,
          message: 'manifest must not list itself or the attestation',
        })
        continue
      }
      const actual = entries.get(file.path)
      if (!actual) {
        if (!problems.some((p) => p.path === file.path)) {
          problems.push({
            code: 'missing-file',
            path: file.path,
            message: 'listed in the manifest but absent',
          })
        }
        continue
      }
      if (actual.size !== file.size) {
        problems.push({
          code: 'size-mismatch',
          path: file.path,
          message: `size ${actual.size} differs from the recorded ${file.size}`,
        })
      }
      if (actual.sha256 !== file.sha256) {
        problems.push({
          code: 'hash-mismatch',
          path: file.path,
          message: 'SHA-256 differs from the manifest',
        })
      }
    }
    for (const p of entries.keys()) {
      if (p === BUNDLE_PATHS.manifest || p === BUNDLE_PATHS.attestation || listed.has(p)) continue
      problems.push({ code: 'extra-file', path: p, message: 'file is not listed in the manifest' })
    }
    const ancestors = new Set<string>()
    for (const p of listed) {
      const parts = p.split('/')
      for (let i = 1; i < parts.length; i++) ancestors.add(parts.slice(0, i).join('/'))
    }
    for (const d of read.directories) {
      if (!ancestors.has(d))
        problems.push({ code: 'extra-file', path: d, message: 'directory is not part of the bundle' })
    }
    if (!listed.has(BUNDLE_PATHS.commands)) {
      problems.push({
        code: 'missing-file',
        path: BUNDLE_PATHS.commands,
        message: 'command trace is not listed',
      })
    }
    checkDocuments(read, problems)
  }

  const ok = problems.length === 0
  const report: VerificationReport = {
    schema: SCHEMA_IDS.verificationReport,
    ok,
    path,
    format: read.format,
    problems,
    ...(manifest ? { manifest } : {}),
    ...(attestation ? { attestation, assurance: attestation.statement.signer.assurance } : {}),
    keyTrusted: ok && options.publicKey !== undefined,
  }
  return { report, read }
}

function checkDocuments(read: ReadBundleResult, problems: VerificationProblem[]): void {
  const invalid = (path: string, message: string): void => {
    problems.push({ code: 'invalid-document', path, message })
  }
  const jsonl = (path: string, check: (v: unknown) => string | null): void => {
    const entry = read.entries.get(path)
    if (!entry?.content) return
    const text = entry.content.toString('utf8')
    if (text.length === 0) return
    if (!text.endsWith('\n')) {
      invalid(path, 'JSON lines document must end with a newline')
      return
    }
    const lines = text.slice(0, -1).split('\n')
    for (const [i, line] of lines.entries()) {
      const parsed = parseJson(Buffer.from(line, 'utf8'))
      const message = parsed.ok ? check(parsed.value) : parsed.message
      if (message) {
        invalid(path, `line ${i + 1}: ${message}`)
        return
      }
    }
  }
  /** A JSON-lines record of `schema`, or a truncation record standing in for cut ones. */
  const recordOr =
    (schema: typeof CommandRecordSchema | typeof MailRecordSchema) =>
    (v: unknown): string | null => {
      if ((v as { type?: unknown } | null)?.type === 'codebox.truncated') {
        const marker = TruncationRecordSchema.safeParse(v)
        return marker.success ? null : zodMessage(marker.error)
      }
      const r = schema.safeParse(v)
      return r.success ? null : zodMessage(r.error)
    }
  jsonl(BUNDLE_PATHS.commands, recordOr(CommandRecordSchema))
  jsonl(BUNDLE_PATHS.mail, recordOr(MailRecordSchema))
  jsonl(BUNDLE_PATHS.events, (v) => {
    const r = EventRecordSchema.safeParse(v)
    return r.success ? null : zodMessage(r.error)
  })
  const doc = (
    path: string,
    schema: { safeParse(v: unknown): { success: boolean; error?: unknown } },
  ): unknown => {
    const entry = read.entries.get(path)
    if (!entry?.content) return undefined
    const parsed = parseJson(entry.content)
    if (!parsed.ok) return invalid(path, parsed.message)
    const r = schema.safeParse(parsed.value)
    if (!r.success) return invalid(path, zodMessage(r.error as Parameters<typeof zodMessage>[0]))
    return parsed.value
  }
  doc(BUNDLE_PATHS.diagnostics, DiagnosticsDocumentSchema)
  doc(BUNDLE_PATHS.credentials, CredentialsDocumentSchema)
  const changes = doc(BUNDLE_PATHS.changes, ChangesDocumentSchema)
  if (changes) {
    const parsed = ChangesDocumentSchema.parse(changes)
    for (const file of parsed.files) {
      const stored = file.after?.storedAs
      if (stored && !read.entries.has(stored)) {
        invalid(BUNDLE_PATHS.changes, `stored content of ${file.mount}/${file.path} is missing`)
      }
    }
  }
}

/**
 * Verifies a bundle directory or `.tar.gz` and reports every problem found. Fails closed: a missing, extra or
 * modified file, a digest or signature mismatch, an unsafe path, a link or a special file all make `ok` false.
 * Tarballs are read as a stream and never extracted to disk.
 *
 * @example
 * const report = await verifyBundle('./artifacts/run.tar.gz', { publicKey: trustedPem })
 * if (!report.ok) console.error(report.problems)
 */
export async function verifyBundle(
  pathOrTarball: string,
  options: VerifyBundleOptions = {},
): Promise<VerificationReport> {
  return (await inspectBundle(pathOrTarball, options)).report
}
