import type { z } from 'zod'
import { ValidationError, type ValidationIssue } from './errors.js'

type SchemaKind = 'string' | 'other'

/** Unwraps optional/default/nullable wrappers and returns the schema found at `path` inside object schemas. */
function schemaAt(schema: z.ZodType | undefined, path: readonly string[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema
  for (let depth = 0; depth <= path.length && current; depth += 1) {
    current = unwrap(current)
    if (depth === path.length) return current
    const key = path[depth] as string
    const shape = (current as { shape?: Record<string, z.ZodType> }).shape
    current = shape?.[key]
  }
  return current
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema
  for (;;) {
    const def = (current as unknown as { def?: { type?: string; innerType?: z.ZodType; in?: z.ZodType } }).def
    if (!def) return current
    if (
      (def.type === 'optional' ||
        def.type === 'default' ||
        def.type === 'nullable' ||
        def.type === 'prefault' ||
        def.type === 'readonly') &&
      def.innerType
    ) {
      current = def.innerType
    } else if (def.type === 'pipe' && def.in) {
      current = def.in
    } else {
      return current
    }
  }
}

function kindOf(schema: z.ZodType | undefined): SchemaKind {
  if (!schema) return 'other'
  const type = (schema as unknown as { def?: { type?: string } }).def?.type
  return type === 'string' || type === 'enum' || type === 'literal' ? 'string' : 'other'
}

/**
 * Parses recipe-style `"key=value"` strings into an argument object for `schema`. Dotted keys nest
 * (`"headers.accept=text/html"`). A value whose schema is a string stays a string verbatim; any other value is read
 * as JSON when it parses (`"count=3"`, `"flag=true"`, `'ids=[1,2]'`) and kept as a string otherwise, so the
 * schema's own validation reports the mismatch with its path.
 *
 * @throws ValidationError (`COMMAND_INVALID_ARGS`) for an entry without `=` or with an empty key; the message
 *   names the entry by position and never repeats its text, which may be a secret.
 */
export function parseKeyValueArgs(entries: readonly string[], schema?: z.ZodType): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  const issues: ValidationIssue[] = []
  entries.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string') {
      // Callers outside TypeScript can put anything in the array; it is named by position, never echoed.
      issues.push({ path: `$[${index}]`, message: `expected a "key=value" string; got ${typeof entry}` })
      return
    }
    const eq = entry.indexOf('=')
    const key = eq === -1 ? '' : entry.slice(0, eq).trim()
    if (eq === -1 || key === '' || key.split('.').some((part) => part === '')) {
      // The entry is not echoed: without a usable key it may be nothing but a value, and values can be secrets.
      const problem =
        eq === -1
          ? `an entry of ${entry.length} characters without "="`
          : key === ''
            ? 'an entry with an empty key'
            : 'a key with an empty dotted segment'
      issues.push({
        path: `$[${index}]`,
        message: `expected "key=value" (for example "path=/"), got ${problem}`,
      })
      return
    }
    const raw = entry.slice(eq + 1)
    const path = key.split('.')
    let value: unknown = raw
    if (kindOf(schemaAt(schema, path)) !== 'string') {
      try {
        value = JSON.parse(raw)
      } catch {
        value = raw
      }
    }
    let target = result
    for (const part of path.slice(0, -1)) {
      const next = target[part]
      if (typeof next !== 'object' || next === null || Array.isArray(next)) target[part] = {}
      target = target[part] as Record<string, unknown>
    }
    target[path[path.length - 1] as string] = value
  })
  if (issues.length > 0) throw new ValidationError('COMMAND_INVALID_ARGS', 'key=value arguments', issues)
  return result
}

/** Maps zod issues to codebox validation issues with `$`-rooted JSON paths. */
export function toValidationIssues(error: z.ZodError, root = '$'): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(root, issue.path), message: issue.message }))
}

/** Formats a zod path as a JSON path such as `$.a.b[2]`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$-]*$/.test(part)) out += `.${part}`
    else out += `[${JSON.stringify(String(part))}]`
  }
  return out
}
