import { randomBytes } from 'node:crypto'
import { lstat, mkdir, open, readFile, realpath, rename, rm, unlink } from 'node:fs/promises'
import { basename, dirname, join, resolve, sep } from 'node:path'
import { ArtifactsError } from './artifacts-error.js'
import type { PublicKeyInput } from './attestation.js'
import { BUNDLE_PATHS, unsafePathReason } from './bundle-paths.js'
import { type ChangedFile, type ChangesDocument, ChangesDocumentSchema } from './schemas.js'
import { sha256Hex } from './stable-json.js'
import { type BundleInspection, inspectBundle } from './verify-bundle.js'

/** Options of {@link applyBundleChanges}. */
export interface ApplyBundleChangesOptions {
  /** Mount whose changes to apply. Default: the only mount; required when the bundle has several. */
  mount?: string
  /** Paths (relative to the mount) to apply. Default: every changed file of the mount. The rest is discarded. */
  files?: readonly string[]
  /** Check everything and report what would happen, writing nothing. Conflicts are reported, not thrown. Default false. */
  dryRun?: boolean
  /** When given, the bundle's attestation must be signed by this key. */
  publicKey?: PublicKeyInput
  /** Apply files whose stored content had secrets replaced by markers. Default false (they are conflicts). */
  allowRedacted?: boolean
}

/** Options of {@link discardBundleChanges}. */
export interface DiscardBundleChangesOptions {
  /** Mount whose changes are discarded. Default: all mounts. */
  mount?: string
  /** When given, the bundle's attestation must be signed by this key. */
  publicKey?: PublicKeyInput
}

/** One change that was (or, in a dry run, would be) applied, or that was discarded. */
export interface ChangeOutcome {
  readonly mount: string
  readonly path: string
  readonly status: 'added' | 'modified' | 'deleted'
  /** SHA-256 of the content written; null for deletions. */
  readonly sha256: string | null
}

/** Why a selected change cannot be applied. */
export type ChangeConflictReason =
  | 'drifted'
  | 'already-exists'
  | 'missing'
  | 'not-a-file'
  | 'symlink'
  | 'outside-target'
  | 'redacted-content'
  | 'not-applicable'

/** A selected change that cannot be applied. */
export interface ChangeConflict {
  readonly mount: string
  readonly path: string
  readonly reason: ChangeConflictReason
  readonly message: string
}

/** Result of {@link applyBundleChanges}. */
export interface ApplyBundleChangesResult {
  readonly action: 'apply'
  readonly dryRun: boolean
  readonly bundleId: string
  readonly mount: string | null
  readonly targetDir: string
  /** Applied changes (in a dry run: the changes that would be applied). */
  readonly applied: readonly ChangeOutcome[]
  /** Changes of the mount that were not selected: discarded. */
  readonly discarded: readonly ChangeOutcome[]
  /** Only non-empty in a dry run; otherwise conflicts throw. */
  readonly conflicts: readonly ChangeConflict[]
  readonly recordedAt: string
}

/** Result of {@link discardBundleChanges}. */
export interface DiscardBundleChangesResult {
  readonly action: 'discard'
  readonly bundleId: string
  readonly mount: string | null
  readonly applied: readonly ChangeOutcome[]
  readonly discarded: readonly ChangeOutcome[]
  readonly recordedAt: string
}

const DRIFT_REASONS = new Set<ChangeConflictReason>([
  'drifted',
  'already-exists',
  'missing',
  'not-a-file',
  'symlink',
])

async function verified(
  bundle: string,
  publicKey: PublicKeyInput | undefined,
): Promise<{ inspection: BundleInspection; changes: ChangesDocument }> {
  const inspection = await inspectBundle(bundle, {
    ...(publicKey ? { publicKey } : {}),
    keep: (p) => p.startsWith(`${BUNDLE_PATHS.changedFilesDir}/`),
  })
  const { report } = inspection
  if (!report.ok || !report.manifest) {
    throw new ArtifactsError('BUNDLE_INVALID', 'The bundle failed verification; nothing was applied.', {
      details: { problems: report.problems.map((p) => ({ code: p.code, path: p.path ?? null })) },
    })
  }
  const content = inspection.read.entries.get(BUNDLE_PATHS.changes)?.content
  const changes: ChangesDocument = content
    ? ChangesDocumentSchema.parse(JSON.parse(content.toString('utf8')))
    : { schema: 'codebox/changes/v1', mounts: [], files: [] }
  return { inspection, changes }
}

const outcome = (f: ChangedFile): ChangeOutcome => ({
  mount: f.mount,
  path: f.path,
  status: f.status,
  sha256: f.after?.sha256 ?? null,
})

/** Finds why `rel` under `root` is unsafe or drifted; null when the baseline matches. */
async function conflictFor(
  root: string,
  f: ChangedFile,
  allowRedacted: boolean,
  stored: Buffer | undefined,
): Promise<ChangeConflict | null> {
  const c = (reason: ChangeConflictReason, message: string): ChangeConflict => ({
    mount: f.mount,
    path: f.path,
    reason,
    message,
  })
  if (!f.applicable) return c('not-applicable', `content was not stored (${f.reason ?? 'unknown'})`)
  if (f.status !== 'deleted') {
    if (!stored || sha256Hex(stored) !== f.after?.sha256)
      return c('not-applicable', 'stored content is missing')
    if ((f.after?.redactions ?? 0) > 0 && !allowRedacted) {
      return c(
        'redacted-content',
        'stored content had secrets replaced by markers; pass allowRedacted to apply it',
      )
    }
  }
  const unsafe = unsafePathReason(f.path)
  if (unsafe) return c('outside-target', unsafe)
  const parts = f.path.split('/')
  let current = root
  for (const part of parts.slice(0, -1)) {
    current = join(current, part)
    const st = await lstat(current).catch(() => null)
    if (!st) break
    if (st.isSymbolicLink()) return c('symlink', 'a parent directory is a symbolic link')
    if (!st.isDirectory()) return c('not-a-file', 'a parent path is not a directory')
  }
  const abs = join(root, ...parts)
  if (!abs.startsWith(root + sep)) return c('outside-target', 'path resolves outside the target directory')
  const st = await lstat(abs).catch(() => null)
  if (st?.isSymbolicLink()) return c('symlink', 'target is a symbolic link')
  if (st && !st.isFile()) return c('not-a-file', 'target is not a regular file')
  if (f.status === 'added')
    return st ? c('already-exists', 'file was added in the run but exists in the target') : null
  if (!st) return c('missing', 'baseline file is missing from the target')
  const current256 = sha256Hex(await readFile(abs))
  return current256 === f.before?.sha256
    ? null
    : c('drifted', 'target content differs from the recorded baseline')
}

async function writeFileAtomically(abs: string, bytes: Uint8Array, mode: number): Promise<void> {
  const tmp = join(dirname(abs), `.${basename(abs)}.codebox-${randomBytes(6).toString('hex')}`)
  try {
    const fh = await open(tmp, 'wx', mode)
    try {
      await fh.writeFile(bytes)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, abs)
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  }
}

/**
 * Applies the changes a bundle recorded for a readwrite mount to `targetDir`, after verifying the bundle.
 * All selected files are checked first; if any drifted from the recorded baseline (or a path is unsafe) nothing is
 * written and `BUNDLE_TARGET_DRIFTED` is thrown. Each file is replaced atomically. Unselected files are discarded.
 *
 * @example
 * const result = await applyBundleChanges(bundle.path, './my-plugin', { files: ['my-plugin.php'] })
 * console.log(result.applied, result.discarded)
 */
export async function applyBundleChanges(
  bundle: string,
  targetDir: string,
  options: ApplyBundleChangesOptions = {},
): Promise<ApplyBundleChangesResult> {
  let root: string
  try {
    root = await realpath(resolve(targetDir))
    if (!(await lstat(root)).isDirectory()) throw new Error('not a directory')
  } catch (cause) {
    throw new ArtifactsError(
      'BUNDLE_TARGET_INVALID',
      'The target directory does not exist or is not a directory.',
      {
        cause,
        details: { targetDir },
      },
    )
  }
  const { inspection, changes } = await verified(bundle, options.publicKey)
  const bundleId = inspection.report.manifest!.bundleId
  let mount = options.mount ?? null
  if (mount === null && changes.mounts.length > 1) {
    throw new ArtifactsError('BUNDLE_MOUNT_REQUIRED', 'The bundle records several mounts; pass `mount`.', {
      details: { mounts: changes.mounts.map((m) => m.id) },
    })
  }
  mount ??= changes.mounts[0]?.id ?? null
  if (mount !== null && !changes.mounts.some((m) => m.id === mount)) {
    throw new ArtifactsError('BUNDLE_SELECTION_INVALID', 'The bundle records no such mount.', {
      details: { mount },
    })
  }
  const ofMount = changes.files.filter((f) => f.mount === mount)
  const wanted = options.files ? new Set(options.files) : null
  if (wanted) {
    const known = new Set(ofMount.map((f) => f.path))
    const unknown = [...wanted].filter((p) => !known.has(p))
    if (unknown.length > 0) {
      throw new ArtifactsError(
        'BUNDLE_SELECTION_INVALID',
        'Some selected files are not changes of this mount.',
        {
          details: { unknown },
        },
      )
    }
  }
  const selected = ofMount.filter((f) => !wanted || wanted.has(f.path))
  const discarded = ofMount.filter((f) => wanted && !wanted.has(f.path)).map(outcome)
  const storedOf = (f: ChangedFile): Buffer | undefined =>
    f.after?.storedAs ? inspection.read.entries.get(f.after.storedAs)?.content : undefined

  const conflicts: ChangeConflict[] = []
  for (const f of selected) {
    const conflict = await conflictFor(root, f, options.allowRedacted ?? false, storedOf(f))
    if (conflict) conflicts.push(conflict)
  }
  const dryRun = options.dryRun ?? false
  if (conflicts.length > 0 && !dryRun) {
    const drift = conflicts.some((c) => DRIFT_REASONS.has(c.reason))
    throw new ArtifactsError(
      drift ? 'BUNDLE_TARGET_DRIFTED' : 'BUNDLE_CHANGE_UNAPPLICABLE',
      drift
        ? 'The target drifted from the recorded baseline; nothing was applied.'
        : 'Some selected changes cannot be applied; nothing was applied.',
      { details: { conflicts: conflicts.map((c) => ({ path: c.path, reason: c.reason })) } },
    )
  }
  const applied: ChangeOutcome[] = []
  for (const f of selected) {
    if (conflicts.some((c) => c.path === f.path)) continue
    if (!dryRun) {
      const abs = join(root, ...f.path.split('/'))
      if (f.status === 'deleted') await unlink(abs)
      else {
        await mkdir(dirname(abs), { recursive: true })
        const existing = await lstat(abs).catch(() => null)
        await writeFileAtomically(abs, storedOf(f)!, existing ? existing.mode & 0o7777 : 0o644)
      }
    }
    applied.push(outcome(f))
  }
  return {
    action: 'apply',
    dryRun,
    bundleId,
    mount,
    targetDir: root,
    applied,
    discarded,
    conflicts,
    recordedAt: new Date().toISOString(),
  }
}

/**
 * Records that a bundle's changes are not applied. Nothing is written: discarding is simply not applying. The
 * bundle is verified so the returned record names a genuine bundle id.
 */
export async function discardBundleChanges(
  bundle: string,
  options: DiscardBundleChangesOptions = {},
): Promise<DiscardBundleChangesResult> {
  const { inspection, changes } = await verified(bundle, options.publicKey)
  const mount = options.mount ?? null
  if (mount !== null && !changes.mounts.some((m) => m.id === mount)) {
    throw new ArtifactsError('BUNDLE_SELECTION_INVALID', 'The bundle records no such mount.', {
      details: { mount },
    })
  }
  const discarded = changes.files.filter((f) => mount === null || f.mount === mount).map(outcome)
  return {
    action: 'discard',
    bundleId: inspection.report.manifest!.bundleId,
    mount,
    applied: [],
    discarded,
    recordedAt: new Date().toISOString(),
  }
}
