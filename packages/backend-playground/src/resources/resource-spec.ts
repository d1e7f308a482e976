import { z } from 'zod'
import { ResourceSpecError, type ResourceSpecIssue } from './resource-errors.js'

/** Versions used when a spec names a plugin without a version. */
export const DEFAULT_PLUGIN_VERSIONS: Readonly<Record<string, string>> = Object.freeze({
  'wp-graphql': '2.5.3',
})

/** Versions used when a tool spec gives no version. */
export const DEFAULT_TOOL_VERSIONS: Readonly<Record<ToolName, string>> = Object.freeze({ 'wp-cli': '2.10.0' })

const SLUG = /^[a-z0-9][a-z0-9_-]*$/
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]*$/
const SHA256 = /^(sha256:)?[0-9a-fA-F]{64}$/
const SLUG_AT_VERSION = /^([a-z0-9][a-z0-9_-]*)(?:@([0-9A-Za-z][0-9A-Za-z.+_-]*))?$/

const SlugSchema = z.string().regex(SLUG, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a plugin slug; use lower-case letters, digits, "-" and "_" (e.g. "wp-graphql")`,
})
const VersionSchema = z.string().regex(VERSION, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a version; give the exact release, e.g. "2.5.3"`,
})
const Sha256Schema = z.string().regex(SHA256, {
  error: 'sha256 must be "sha256:<64 hex digits>" or 64 hex digits (the SHA-256 of the zip or phar)',
})
const SourceSchema = z
  .string()
  .min(1, { error: 'source is empty; give a directory, a .zip path or an https URL' })

/**
 * A plugin to install: a slug (`'wp-graphql'`, `'wp-graphql@2.5.3'`) or an object. `source` is a local directory,
 * a local `.zip`, or an `https://` URL (plain `http://` only for loopback hosts). `sha256` pins the zip's hash
 * (`sha256:<hex>` or bare hex); for a directory source it pins the tree digest. `activate` defaults to `true`,
 * `loadAs` to `plugin`.
 */
export const PluginSpecSchema = z.union([
  z.string().regex(SLUG_AT_VERSION, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a plugin spec; use a slug such as "wp-graphql" or "wp-graphql@2.5.3"`,
  }),
  z.strictObject({
    slug: SlugSchema,
    version: VersionSchema.optional(),
    source: SourceSchema.optional(),
    sha256: Sha256Schema.optional(),
    activate: z.boolean().optional().meta({ description: 'Activate after install. Default true.' }),
    loadAs: z
      .enum(['plugin', 'mu-plugin'])
      .optional()
      .meta({ description: 'Install as a normal plugin or a must-use plugin. Default "plugin".' }),
  }),
])

/** A plugin spec as accepted by `playground({ plugins })` and `resolvePlugin`. */
export type PluginSpec = z.infer<typeof PluginSpecSchema>

/** Tools the resolver knows how to fetch. */
export type ToolName = 'wp-cli'

/**
 * A tool to fetch: `'wp-cli'`, `'wp-cli@2.10.0'` or `{ name: 'wp-cli', version?, source?, sha256? }`. `source` is a
 * local `.phar` file or an `https://` URL; `version` defaults to {@link DEFAULT_TOOL_VERSIONS}.
 */
export const ToolSpecSchema = z.union([
  z.string().regex(/^wp-cli(?:@[0-9A-Za-z][0-9A-Za-z.+_-]*)?$/, {
    error: (issue) => `${JSON.stringify(issue.input)} is not a tool spec; use "wp-cli" or "wp-cli@2.10.0"`,
  }),
  z.strictObject({
    name: z.literal('wp-cli', { error: 'the only supported tool is "wp-cli"' }),
    version: VersionSchema.optional(),
    source: SourceSchema.optional(),
    sha256: Sha256Schema.optional(),
  }),
])

/** A tool spec as accepted by `resolveTool`. */
export type ToolSpec = z.infer<typeof ToolSpecSchema>

/** A plugin spec with defaults applied and the hash normalised to `sha256:<lower-case hex>`. */
export interface NormalizedPluginSpec {
  readonly kind: 'plugin'
  readonly slug: string
  /** Undefined when neither the spec nor {@link DEFAULT_PLUGIN_VERSIONS} gives one (the header decides). */
  readonly version: string | undefined
  readonly source: string | undefined
  readonly sha256: string | undefined
  readonly activate: boolean
  readonly loadAs: 'plugin' | 'mu-plugin'
}

/** A tool spec with defaults applied. */
export interface NormalizedToolSpec {
  readonly kind: 'tool'
  readonly slug: ToolName
  /** Undefined only when an explicit `source` is given without a version (the phar decides). */
  readonly version: string | undefined
  readonly source: string | undefined
  readonly sha256: string | undefined
}

/** Normalises `sha256:<hex>` or bare hex to `sha256:<lower-case hex>`. */
export function normalizeSha256(value: string): string {
  const hex = value.toLowerCase().replace(/^sha256:/, '')
  return `sha256:${hex}`
}

function toIssues(error: z.ZodError): ResourceSpecIssue[] {
  return error.issues.map((issue) => {
    let path = '$'
    for (const key of issue.path) path += typeof key === 'number' ? `[${key}]` : `.${String(key)}`
    return { path, message: issue.message }
  })
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, subject: string): T {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  // A union reports "invalid input" at the root; surface the branch that matches the input's shape instead.
  const issues = result.error.issues.flatMap((issue) => {
    if (issue.code === 'invalid_union') {
      const branch = typeof input === 'string' ? issue.errors[0] : issue.errors[1]
      if (branch !== undefined && branch.length > 0) return toIssues(new z.ZodError(branch))
    }
    return toIssues(new z.ZodError([issue]))
  })
  throw new ResourceSpecError(subject, issues)
}

/**
 * Validates a plugin spec and applies defaults (version from {@link DEFAULT_PLUGIN_VERSIONS}, `activate: true`,
 * `loadAs: 'plugin'`).
 *
 * @throws {@link ResourceSpecError} (code `RESOURCE_SPEC_INVALID`) listing every issue with its JSON path.
 */
export function normalizePluginSpec(input: unknown): NormalizedPluginSpec {
  const spec = parseOrThrow(PluginSpecSchema, input, 'plugin spec')
  if (typeof spec === 'string') {
    const [, slug = spec, version] = SLUG_AT_VERSION.exec(spec) ?? []
    return {
      kind: 'plugin',
      slug,
      version: version ?? DEFAULT_PLUGIN_VERSIONS[slug],
      source: undefined,
      sha256: undefined,
      activate: true,
      loadAs: 'plugin',
    }
  }
  return {
    kind: 'plugin',
    slug: spec.slug,
    // An explicit source decides its own version (from its header) unless the spec names one.
    version: spec.version ?? (spec.source === undefined ? DEFAULT_PLUGIN_VERSIONS[spec.slug] : undefined),
    source: spec.source,
    sha256: spec.sha256 === undefined ? undefined : normalizeSha256(spec.sha256),
    activate: spec.activate ?? true,
    loadAs: spec.loadAs ?? 'plugin',
  }
}

/**
 * Validates a tool spec and applies the default version from {@link DEFAULT_TOOL_VERSIONS}.
 *
 * @throws {@link ResourceSpecError} (code `RESOURCE_SPEC_INVALID`) listing every issue with its JSON path.
 */
export function normalizeToolSpec(input: unknown): NormalizedToolSpec {
  const spec = parseOrThrow(ToolSpecSchema, input, 'tool spec')
  if (typeof spec === 'string') {
    const [, version] = spec.split('@')
    return {
      kind: 'tool',
      slug: 'wp-cli',
      version: version ?? DEFAULT_TOOL_VERSIONS['wp-cli'],
      source: undefined,
      sha256: undefined,
    }
  }
  return {
    kind: 'tool',
    slug: spec.name,
    version: spec.version ?? (spec.source === undefined ? DEFAULT_TOOL_VERSIONS[spec.name] : undefined),
    source: spec.source,
    sha256: spec.sha256 === undefined ? undefined : normalizeSha256(spec.sha256),
  }
}

/** True when `value` is a valid plugin slug. */
export function isPluginSlug(value: string): boolean {
  return SLUG.test(value)
}

/** True when `value` is a valid version string (safe to use as a path segment). */
export function isResourceVersion(value: string): boolean {
  return VERSION.test(value)
}
