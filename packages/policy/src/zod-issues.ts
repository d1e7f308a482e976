// Turns zod issues into `{ path, message }` issues with JSON paths and messages that name the fix (also used by
// other packages for their own documents, e.g. the host's tenant manifest).
import type { z } from 'zod'
import type { PolicyIssue } from './errors.js'

type Segment = PropertyKey

/** Formats a path as a JSON path: `$`, `$.network.allowHosts[2]`, `$["odd key"]`. */
export function jsonPath(segments: readonly Segment[]): string {
  let out = '$'
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) out += `.${segment}`
    else out += `[${JSON.stringify(String(segment))}]`
  }
  return out
}

interface SchemaDef {
  type: string
  innerType?: z.ZodType
  in?: z.ZodType
  element?: z.ZodType
  shape?: Record<string, z.ZodType>
  options?: z.ZodType[]
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema
  for (;;) {
    const def = defOf(current)
    if (def.innerType !== undefined) current = def.innerType
    else if (def.type === 'pipe' && def.in !== undefined) current = def.in
    else return current
  }
}

/** Keys accepted by the object schema found at `path` under `root`, if any. */
function objectKeysAt(root: z.ZodType, path: readonly Segment[]): string[] | undefined {
  let candidates: z.ZodType[] = [root]
  for (const segment of path) {
    const next: z.ZodType[] = []
    for (const candidate of candidates.flatMap(expandUnions)) {
      const def = defOf(candidate)
      if (def.type === 'array' && typeof segment === 'number' && def.element) next.push(def.element)
      if (def.type === 'object' && typeof segment === 'string' && def.shape?.[segment])
        next.push(def.shape[segment])
    }
    candidates = next
  }
  const object = candidates.flatMap(expandUnions).find((candidate) => defOf(candidate).type === 'object')
  return object ? Object.keys(defOf(object).shape ?? {}) : undefined
}

function expandUnions(schema: z.ZodType): z.ZodType[] {
  const inner = unwrap(schema)
  const def = defOf(inner)
  return def.type === 'union' && def.options ? def.options.flatMap(expandUnions) : [inner]
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length] as number
}

function unknownKeyMessage(key: string, allowed: readonly string[] | undefined): string {
  if (allowed === undefined) return `unknown key ${JSON.stringify(key)}; remove it`
  const suggestion =
    allowed.find((candidate) => candidate.toLowerCase() === key.toLowerCase()) ??
    allowed.find((candidate) => editDistance(candidate, key) <= 2)
  const hint = suggestion === undefined ? 'remove it' : `did you mean ${JSON.stringify(suggestion)}?`
  const list = allowed.length === 0 ? 'none' : allowed.map((k) => JSON.stringify(k)).join(', ')
  return `unknown key ${JSON.stringify(key)}; ${hint} (allowed keys: ${list})`
}

function isTypeMismatch(issues: readonly z.core.$ZodIssue[]): boolean {
  return (
    issues.length === 1 &&
    issues[0]?.path.length === 0 &&
    (issues[0].code === 'invalid_type' || issues[0].code === 'invalid_value')
  )
}

function collect(
  root: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly Segment[],
  out: PolicyIssue[],
) {
  for (const issue of issues) {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'unrecognized_keys') {
      const allowed = objectKeysAt(root, path)
      for (const key of issue.keys)
        out.push({ path: jsonPath([...path, key]), message: unknownKeyMessage(key, allowed) })
    } else if (issue.code === 'invalid_union') {
      // Report the issues of the one branch whose type matched (e.g. the object form of `network`), if any.
      const matching = issue.errors.filter((branch) => !isTypeMismatch(branch))
      if (matching.length === 1) collect(root, matching[0] as z.core.$ZodIssue[], path, out)
      else out.push({ path: jsonPath(path), message: issue.message })
    } else {
      out.push({ path: jsonPath(path), message: issue.message })
    }
  }
}

/** Maps every zod issue to a `{ path, message }` issue; `root` is the schema that was parsed. */
export function toPolicyIssues(root: z.ZodType, error: z.ZodError): PolicyIssue[] {
  const out: PolicyIssue[] = []
  collect(root, error.issues, [], out)
  return out
}
