import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff'
import type { z } from 'zod'
import type { ChangeSetInputSchema } from './bundle-input.js'
import { BUNDLE_PATHS, isBinary } from './bundle-paths.js'
import type { Redactor } from './redactor.js'
import { type ChangedFile, type ChangesDocument, SCHEMA_IDS } from './schemas.js'
import { sha256Hex } from './stable-json.js'

/** Output of {@link buildChanges}: the documents and the stored file contents. */
export interface BuiltChanges {
  readonly document: ChangesDocument
  readonly patch: string
  /** Bundle path → redacted new content. */
  readonly stored: Map<string, Uint8Array>
}

/** Limits that apply to change sets. */
export interface ChangeLimits {
  /** Largest stored file content; larger files are recorded but not stored (not applicable). */
  maxFileBytes: number
  /** Largest text (either side) that gets a line diff; larger files are noted in the patch. */
  maxDiffBytes: number
}

const decoder = new TextDecoder('utf-8')

/**
 * Builds `changes/files.json`, `changes/patch.diff` and `changes/files/<mount>/<path>`. Both sides of every diff
 * are redacted before diffing, so a patch line never splits a secret; baseline hashes are of the real baseline
 * bytes because `applyBundleChanges` compares them with the target.
 */
export function buildChanges(
  input: z.output<typeof ChangeSetInputSchema>,
  redactor: Redactor,
  limits: ChangeLimits,
): BuiltChanges {
  const stored = new Map<string, Uint8Array>()
  const files: ChangedFile[] = []
  const patches: string[] = []
  const sorted = [...input.files].sort((a, b) => compare(`${a.mount}/${a.path}`, `${b.mount}/${b.path}`))
  for (const f of sorted) {
    const before = f.before ?? null
    const after = f.after ?? null
    const redactedPath = redactor.redactText(f.path)
    const pathRedacted = redactedPath !== f.path
    const totalBefore = redactor.summary().total
    const afterRedacted = after ? redactor.redactBytes(after) : null
    const redactions = redactor.summary().total - totalBefore
    const binary = (before !== null && isBinary(before)) || (after !== null && isBinary(after))
    let storedAs: string | null = null
    let reason: ChangedFile['reason']
    if (pathRedacted) reason = 'path-redacted'
    else if (afterRedacted && afterRedacted.byteLength > limits.maxFileBytes) reason = 'content-too-large'
    else if (afterRedacted) {
      storedAs = `${BUNDLE_PATHS.changedFilesDir}/${f.mount}/${f.path}`
      stored.set(storedAs, afterRedacted)
    }
    files.push({
      mount: f.mount,
      path: redactedPath,
      status: f.status,
      binary,
      before: before ? { sha256: sha256Hex(before), size: before.byteLength } : null,
      after: afterRedacted
        ? { sha256: sha256Hex(afterRedacted), size: afterRedacted.byteLength, storedAs, redactions }
        : null,
      applicable: reason === undefined,
      ...(reason ? { reason } : {}),
    })
    patches.push(patchFor(f.mount, redactedPath, f.status, before, afterRedacted, binary, redactor, limits))
  }
  const mounts = [...input.mounts]
    .sort((a, b) => compare(a.id, b.id))
    .map((m) => ({ id: m.id, source: redactor.redactText(m.source), target: redactor.redactText(m.target) }))
  return { document: { schema: SCHEMA_IDS.changes, mounts, files }, patch: patches.join(''), stored }
}

function patchFor(
  mount: string,
  path: string,
  status: 'added' | 'modified' | 'deleted',
  before: Uint8Array | null,
  afterRedacted: Uint8Array | null,
  binary: boolean,
  redactor: Redactor,
  limits: ChangeLimits,
): string {
  const a = `a/${mount}/${path}`
  const b = `b/${mount}/${path}`
  const oldName = status === 'added' ? '/dev/null' : a
  const newName = status === 'deleted' ? '/dev/null' : b
  let head = `diff --git ${a} ${b}\n`
  if (status === 'added') head += 'new file mode 100644\n'
  if (status === 'deleted') head += 'deleted file mode 100644\n'
  if (binary) return `${head}Binary files ${oldName} and ${newName} differ\n`
  const tooLarge =
    (before?.byteLength ?? 0) > limits.maxDiffBytes || (afterRedacted?.byteLength ?? 0) > limits.maxDiffBytes
  if (tooLarge) return `${head}# codebox: diff omitted, file larger than ${limits.maxDiffBytes} bytes\n`
  const oldText = before ? redactor.redactText(decoder.decode(before)) : ''
  const newText = afterRedacted ? decoder.decode(afterRedacted) : ''
  const body = createTwoFilesPatch(oldName, newName, oldText, newText, undefined, undefined, {
    headerOptions: FILE_HEADERS_ONLY,
    timeout: 5000,
  })
  if (body === undefined) return `${head}# codebox: diff omitted, too expensive to compute\n`
  return `${head}${body}`
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
