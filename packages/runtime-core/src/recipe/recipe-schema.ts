import { ConnectorDeclarationsSchema, RuntimePolicySchema } from '@codebox/policy'
import { z } from 'zod'
import { ValidationError, type ValidationIssue } from '../errors.js'
import { formatPath } from '../key-value-args.js'
import { DeterministicOptionsSchema } from '../runtime-determinism.js'

/** The schema id every recipe declares in its `schema` field. */
export const RECIPE_SCHEMA_ID = 'wp-codebox/workspace-recipe/v1'

/** The schema id of a plugin-runtime diagnostic. */
export const PLUGIN_RUNTIME_DIAGNOSTIC_SCHEMA_ID = 'wp-codebox/plugin-runtime-diagnostic/v1'

const SLUG = /^[a-z0-9][a-z0-9_-]*$/
const CONSTANT = /^[A-Za-z_][A-Za-z0-9_]*$/
const INI = /^[a-z0-9_.]+$/
const COMMAND = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/
const SHA256 = /^(sha256:)?[0-9a-fA-F]{64}$/
/** Longest step deadline a recipe may ask for: one hour. */
const MAX_TIMEOUT_MS = 3_600_000

const Json: z.ZodType<unknown> = z.json()
const NonEmpty = (what: string) =>
  z.string({ error: `expected a string: ${what}` }).min(1, `${what} is empty`)
const TimeoutMs = z
  .number({ error: 'timeoutMs must be a number of milliseconds' })
  .int('timeoutMs must be a whole number of milliseconds')
  .positive('timeoutMs must be positive')
  .max(MAX_TIMEOUT_MS, `timeoutMs must be at most ${MAX_TIMEOUT_MS} (one hour)`)
const RuntimePath = z
  .string({ error: 'expected an absolute path inside the runtime, e.g. "/wordpress/wp-content/uploads"' })
  .refine((value) => value.startsWith('/'), 'must be an absolute path inside the runtime, starting with "/"')
  .refine((value) => !value.split('/').includes('..'), 'must not contain ".." segments')

/** Arguments of a step: an object matching the command's schema, or recipe-style `"key=value"` strings. */
export const RecipeStepArgsSchema = z.union(
  [
    z.record(z.string(), z.unknown()),
    z.array(z.string({ error: 'each "key=value" entry must be a string' })),
  ],
  { error: 'args must be an object (e.g. { "code": "<?php echo 1;" }) or an array of "key=value" strings' },
)

/** One command step of `pluginRuntime.setup` or `workflow.steps`. */
export const RecipeStepSchema = z
  .strictObject({
    /** Command name from the backend's catalogue, e.g. `wordpress.run-php`. */
    command: z
      .string({ error: 'command must be a command name such as "wordpress.run-php"' })
      .regex(COMMAND, 'command must be a dotted command name such as "wordpress.run-php"'),
    /** Arguments. Default `{}`. */
    args: RecipeStepArgsSchema.optional(),
    /** A name shown in progress, diagnostics and results. Default `<phase>[<index>]`. */
    name: NonEmpty('name').optional(),
    /** Deadline of this step in ms. Default the runtime's command default (60 s). */
    timeoutMs: TimeoutMs.optional(),
    /** Carry on when this step fails (recorded as a warning diagnostic). Default false. */
    allowFailure: z.boolean({ error: 'allowFailure must be true or false' }).optional(),
  })
  .meta({ description: 'A command run through runtime.execute(), with policy, events and history.' })

/** One plugin to mount (and by default activate) from a local source. */
export const RecipeExtraPluginSchema = z
  .strictObject({
    /**
     * Local directory or `.zip`, relative to the recipe file, or an https URL when the network allows. Default: the
     * backend resolves `slug` (and `version`) from its cache.
     */
    source: NonEmpty('source (a plugin directory or .zip path)').optional(),
    /** Directory name under `wp-content/plugins` (or `mu-plugins`). */
    slug: z
      .string({ error: 'slug must be a string such as "page-builder"' })
      .regex(SLUG, 'slug must use lower-case letters, digits, "-" and "_", e.g. "page-builder"'),
    /** Main file relative to the plugins directory: `<slug>/<file>.php`. Default `<slug>/<slug>.php`. */
    pluginFile: z
      .string({ error: 'pluginFile must be a string such as "page-builder/page-builder.php"' })
      .regex(/^[A-Za-z0-9._-]+\/[A-Za-z0-9._/-]*\.php$/, 'pluginFile must look like "<slug>/<file>.php"')
      .refine((value) => !value.split('/').includes('..'), 'pluginFile must not contain ".." segments')
      .optional(),
    /** Activate after mounting, in recipe order. Default true. Ignored for mu-plugins (always loaded). */
    activate: z.boolean({ error: 'activate must be true or false' }).optional(),
    /** Pins the zip's SHA-256 (or a directory's tree digest): `sha256:<hex>` or 64 hex digits. */
    sha256: z
      .string({ error: 'sha256 must be a string' })
      .regex(SHA256, 'sha256 must be "sha256:<64 hex digits>" or 64 hex digits')
      .optional(),
    /** Exact version the plugin header must declare. */
    version: NonEmpty('version').optional(),
    /** `plugin` (default) or `mu-plugin` (mounted under mu-plugins and loaded by a recipe loader file). */
    loadAs: z.enum(['plugin', 'mu-plugin'], { error: 'loadAs must be "plugin" or "mu-plugin"' }).optional(),
  })
  .superRefine((plugin, ctx) => {
    if (plugin.pluginFile !== undefined && !plugin.pluginFile.startsWith(`${plugin.slug}/`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['pluginFile'],
        message: `pluginFile must start with the slug: "${plugin.slug}/…"`,
        input: plugin.pluginFile,
      })
    }
  })

/** A host directory or file mounted into the runtime before boot. */
export const RecipeMountSchema = z.strictObject({
  /** Host path, relative to the recipe file. */
  source: NonEmpty('source (a host path)'),
  /** Absolute path inside the runtime, e.g. `/wordpress/wp-content/plugins/my-plugin`. */
  target: RuntimePath,
  /** Default `readonly`. */
  mode: z.enum(['readonly', 'readwrite'], { error: 'mode must be "readonly" or "readwrite"' }).optional(),
})

const ProbeBase = {
  /** Unique name, used in diagnostics. */
  name: NonEmpty('name'),
  /** Deadline in ms. Default 60 s. */
  timeoutMs: TimeoutMs.optional(),
}

/** Passes when the plugin is active (or loaded as a must-use plugin). */
export const PluginActiveProbeSchema = z.strictObject({
  ...ProbeBase,
  type: z.literal('plugin-active'),
  /** Plugin file relative to the plugins directory, e.g. `page-builder/page-builder.php`. */
  pluginFile: NonEmpty('pluginFile'),
})

/** Passes when WP-CLI exits 0 (and, if given, its output contains `stdoutContains`). */
export const WpCliProbeSchema = z.strictObject({
  ...ProbeBase,
  type: z.literal('wp-cli'),
  /** A WP-CLI command line after `wp` (`"option get blogname"`) or its argv. */
  command: z.union([NonEmpty('command'), z.array(z.string()).min(1, 'command is empty')], {
    error: 'command must be a string such as "option get blogname" or an array of arguments',
  }),
  stdoutContains: z.string().optional(),
})

/** Passes when the PHP code (run with WordPress loaded) exits 0 without a fatal error. */
export const PhpProbeSchema = z.strictObject({
  ...ProbeBase,
  type: z.literal('php'),
  /** PHP code; a leading `<?php` is optional. Throw or `exit(1)` to fail. */
  code: NonEmpty('code'),
  stdoutContains: z.string().optional(),
})

/** Passes when the GraphQL query answers without errors (and `expectPath` in `data` is not null). */
export const GraphqlProbeSchema = z.strictObject({
  ...ProbeBase,
  type: z.literal('graphql'),
  query: NonEmpty('query'),
  variables: z.record(z.string(), Json).optional(),
  /** Dotted path into `data` that must be present and not null, e.g. `generalSettings.title`. */
  expectPath: NonEmpty('expectPath').optional(),
})

/** Passes when an in-process HTTP request answers with `expectStatus` (and a body containing `bodyContains`). */
export const HttpProbeSchema = z.strictObject({
  ...ProbeBase,
  type: z.literal('http'),
  path: z
    .string({ error: 'path must be a string such as "/wp-json/"' })
    .refine((value) => value.startsWith('/'), 'path must start with "/", e.g. "/wp-json/"'),
  method: z
    .enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'], {
      error: 'method must be an HTTP method such as "GET"',
    })
    .optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  /** Default 200. */
  expectStatus: z.number().int().min(100).max(599).optional(),
  bodyContains: z.string().optional(),
})

const PROBE_TYPES = ['plugin-active', 'wp-cli', 'php', 'graphql', 'http'] as const

/** A health probe, keyed by `type`. */
export const RecipeHealthProbeSchema = z.discriminatedUnion(
  'type',
  [PluginActiveProbeSchema, WpCliProbeSchema, PhpProbeSchema, GraphqlProbeSchema, HttpProbeSchema],
  { error: `type must be one of ${PROBE_TYPES.join(', ')}` },
)

/** `inputs.pluginRuntime`: PHP/WordPress tuning, ordered setup commands and health probes for a plugin stack. */
export const PluginRuntimeSchema = z.strictObject({
  /** A label recorded in results and bundles, e.g. `visual-builder-stack`. */
  label: NonEmpty('label').optional(),
  php: z
    .strictObject({
      /** PHP `memory_limit`, e.g. `512M`. */
      memoryLimit: z
        .string({ error: 'memoryLimit must be a string such as "512M"' })
        .regex(/^\d+[KMG]?$/, 'memoryLimit must look like "512M"')
        .optional(),
      /** PHP `max_execution_time` in seconds (0 = unlimited). */
      maxExecutionTime: z.number().int().min(0, 'maxExecutionTime must be 0 or more seconds').optional(),
      /** Extra php.ini entries. */
      iniEntries: z
        .record(
          z.string().regex(INI, 'an ini entry name looks like "display_errors"'),
          z.union([z.string(), z.number(), z.boolean()]),
        )
        .optional(),
    })
    .optional(),
  /** wp-config constants defined before WordPress loads. */
  wpConfigDefines: z
    .record(
      z.string().regex(CONSTANT, 'a constant name looks like "WP_DEBUG"'),
      z.union([z.string(), z.number(), z.boolean(), z.null()], {
        error: 'a wp-config value must be a string, number, boolean or null',
      }),
    )
    .optional(),
  /** Commands run in order after plugins are activated. */
  setup: z.array(RecipeStepSchema).optional(),
  /** Probes run in order after setup; any failure stops the recipe before the workflow. */
  healthProbes: z
    .array(RecipeHealthProbeSchema)
    .superRefine((probes, ctx) => {
      const seen = new Set<string>()
      probes.forEach((probe, index) => {
        if (seen.has(probe.name)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `probe name "${probe.name}" is used twice; give each probe a unique name`,
          })
        }
        seen.add(probe.name)
      })
    })
    .optional(),
})

/** A post (or page, or any post type) to create. */
export const SeedPostSchema = z.strictObject({
  title: z.string({ error: 'title must be a string' }),
  content: z.string().optional(),
  excerpt: z.string().optional(),
  /** Default `publish`. */
  status: z.enum(['publish', 'draft', 'pending', 'private', 'future']).optional(),
  /** Default `post`. */
  type: z
    .string()
    .regex(/^[a-z0-9_-]{1,20}$/, 'type must be a post type name such as "page"')
    .optional(),
  slug: z.string().regex(SLUG, 'slug must use lower-case letters, digits, "-" and "_"').optional(),
  /** Login of a seeded or existing user. Default the first administrator. */
  author: NonEmpty('author').optional(),
  /** Term slugs (or names) by taxonomy, e.g. `{ "category": ["news"] }`. */
  terms: z.record(z.string(), z.array(z.string())).optional(),
  meta: z.record(z.string(), Json).optional(),
})

/** A term to create. */
export const SeedTermSchema = z.strictObject({
  /** Default `category`. */
  taxonomy: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/, 'taxonomy must be a taxonomy name such as "post_tag"')
    .optional(),
  name: NonEmpty('name'),
  slug: z.string().regex(SLUG, 'slug must use lower-case letters, digits, "-" and "_"').optional(),
  description: z.string().optional(),
  /** Slug of the parent term in the same taxonomy. */
  parent: z.string().optional(),
})

/** A user to create; a random password is generated (recipes never carry passwords). */
export const SeedUserSchema = z.strictObject({
  login: z.string().regex(/^[A-Za-z0-9_.@-]{1,60}$/, 'login must be 1–60 letters, digits or _ . @ -'),
  email: z.email('email must be an e-mail address'),
  /** Default `subscriber`. */
  role: z
    .string()
    .regex(/^[a-z0-9_-]+$/, 'role must be a role name such as "editor"')
    .optional(),
  displayName: z.string().optional(),
  meta: z.record(z.string(), Json).optional(),
})

/** `inputs.siteSeeds`: content imported as data after the health probes pass. */
export const SiteSeedsSchema = z.strictObject({
  options: z.record(z.string().min(1), Json).optional(),
  users: z.array(SeedUserSchema).optional(),
  terms: z.array(SeedTermSchema).optional(),
  posts: z.array(SeedPostSchema).optional(),
})

/** A Playground blueprint step (backends validate the subset they support). */
export const RecipeBlueprintStepSchema = z.looseObject({
  step: z.string({ error: 'each blueprint step needs a "step" name such as "setSiteOptions"' }).min(1),
})

/** The `wp-codebox/workspace-recipe/v1` document. Unknown fields are rejected with their path. */
export const RecipeSchema = z
  .strictObject({
    /** Lets editors find the JSON Schema; ignored. */
    $schema: z.string().optional(),
    schema: z.literal(RECIPE_SCHEMA_ID, { error: `schema must be "${RECIPE_SCHEMA_ID}"` }),
    /** A name recorded in results and bundles. */
    label: NonEmpty('label').optional(),
    runtime: z
      .strictObject({
        /** Backend name. Default `playground`. */
        backend: NonEmpty('backend').optional(),
        /** WordPress version (the backend decides which are available). */
        wp: NonEmpty('wp').optional(),
        /** PHP version, e.g. `8.3`. */
        phpVersion: z
          .string({ error: 'phpVersion must be a string such as "8.3"' })
          .regex(/^\d+\.\d+$/, 'phpVersion must look like "8.3"')
          .optional(),
        /** Seeded clock, entropy and ids (`createRuntime({ deterministic })`): reproducible runs. */
        deterministic: DeterministicOptionsSchema.optional(),
        /** Raw Playground blueprint steps, applied right after boot; only an offline subset is supported. */
        blueprint: z
          .union([
            z.array(RecipeBlueprintStepSchema),
            z.looseObject({ steps: z.array(RecipeBlueprintStepSchema) }),
          ])
          .optional(),
      })
      .optional(),
    inputs: z
      .strictObject({
        mounts: z.array(RecipeMountSchema).optional(),
        extra_plugins: z
          .array(RecipeExtraPluginSchema)
          .superRefine((plugins, ctx) => {
            const seen = new Set<string>()
            plugins.forEach((plugin, index) => {
              if (seen.has(plugin.slug)) {
                ctx.addIssue({
                  code: 'custom',
                  path: [index, 'slug'],
                  message: `slug "${plugin.slug}" is listed twice`,
                })
              }
              seen.add(plugin.slug)
            })
          })
          .optional(),
        pluginRuntime: PluginRuntimeSchema.optional(),
        /** Connectors whose credentials the run needs; missing or denied ones fail before boot. */
        connectors: ConnectorDeclarationsSchema.optional(),
        siteSeeds: SiteSeedsSchema.optional(),
      })
      .optional(),
    workflow: z.strictObject({ steps: z.array(RecipeStepSchema) }).optional(),
    /** The runtime policy (see `@codebox/policy`). Default: least privilege inferred from the recipe. */
    policy: RuntimePolicySchema.optional(),
    artifacts: z
      .strictObject({
        /** Bundle folder, relative to the recipe file. */
        directory: NonEmpty('directory'),
        format: z
          .enum(['directory', 'tar.gz'], { error: 'format must be "directory" or "tar.gz"' })
          .optional(),
        includeSnapshot: z.boolean().optional(),
      })
      .optional(),
  })
  .meta({ title: RECIPE_SCHEMA_ID, description: 'A codebox workspace recipe.' })

/** A validated recipe. */
export type Recipe = z.output<typeof RecipeSchema>
/** A recipe as written. */
export type RecipeInput = z.input<typeof RecipeSchema>
/** A command step. */
export type RecipeStep = z.output<typeof RecipeStepSchema>
/** An `inputs.extra_plugins` entry. */
export type RecipeExtraPlugin = z.output<typeof RecipeExtraPluginSchema>
/** An `inputs.mounts` entry. */
export type RecipeMount = z.output<typeof RecipeMountSchema>
/** A health probe. */
export type RecipeHealthProbe = z.output<typeof RecipeHealthProbeSchema>
/** `inputs.pluginRuntime`. */
export type PluginRuntime = z.output<typeof PluginRuntimeSchema>
/** `inputs.siteSeeds`. */
export type SiteSeeds = z.output<typeof SiteSeedsSchema>
/** A blueprint step. */
export type RecipeBlueprintStep = z.output<typeof RecipeBlueprintStepSchema>

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing'
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'an array'
  if (typeof input === 'object') return 'an object'
  // JSON.stringify throws on a bigint and gives undefined for a function or a symbol: describe those by type.
  const shown = typeof input === 'bigint' ? `${input}n` : (JSON.stringify(input) ?? String(typeof input))
  return `${typeof input} ${shown}`.slice(0, 60)
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let current: unknown = root
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key as string)) {
      return { found: false, value: undefined }
    }
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return { found: true, value: current }
}

/**
 * Flattens zod issues into path-precise ones: one per unknown key; a union is resolved to the branch whose type
 * matches the input, so its own nested issue (not "invalid input") is reported.
 */
function recipeIssues(
  input: unknown,
  issues: readonly z.core.$ZodIssue[],
  base: readonly PropertyKey[] = [],
): ValidationIssue[] {
  const out: ValidationIssue[] = []
  for (const issue of issues) {
    const path = [...base, ...issue.path]
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: formatPath('$', [...path, key]),
          message: 'unknown field; remove it or fix its spelling',
        })
      }
      continue
    }
    if (issue.code === 'invalid_union' && 'errors' in issue && issue.errors.length > 0) {
      // A branch whose issues all sit below the union's own path matched the input's shape.
      const matching = issue.errors.filter(
        (branch) => branch.length > 0 && branch.every((nested) => nested.path.length > 0),
      )
      if (matching.length === 1) {
        out.push(...recipeIssues(input, matching[0] as z.core.$ZodIssue[], path))
        continue
      }
    }
    if (issue.code === 'invalid_key') {
      const reason = issue.issues[0]?.message ?? 'invalid key'
      out.push({ path: formatPath('$', path), message: `invalid field name: ${reason}` })
      continue
    }
    const at = valueAt(input, path)
    if (issue.code === 'invalid_type' && !at.found) {
      out.push({ path: formatPath('$', path), message: `required field is missing (${issue.message})` })
    } else if (issue.code === 'invalid_type' && path.length === 0) {
      out.push({ path: '$', message: `a recipe must be a JSON object; got ${describeInput(at.value)}` })
    } else if (issue.code === 'invalid_type') {
      out.push({ path: formatPath('$', path), message: `${issue.message}; got ${describeInput(at.value)}` })
    } else {
      out.push({ path: formatPath('$', path), message: issue.message })
    }
  }
  return out
}

/**
 * Validates a recipe document. Every problem is reported with its JSON path (`$.inputs.extra_plugins[0].slug`),
 * and unknown fields are rejected one by one.
 *
 * @example
 * const recipe = parseRecipe(JSON.parse(await readFile('recipe.json', 'utf8')))
 *
 * @throws ValidationError (`RECIPE_INVALID`) listing every issue.
 */
export function parseRecipe(input: unknown): Recipe {
  const parsed = RecipeSchema.safeParse(input)
  if (parsed.success) return parsed.data
  throw new ValidationError('RECIPE_INVALID', 'recipe', recipeIssues(input, parsed.error.issues))
}

/** The recipe schema as JSON Schema (draft 2020-12), for editors and other languages. */
export function recipeJsonSchema(): Record<string, unknown> {
  return {
    $id: `https://codebox.dev/schemas/${RECIPE_SCHEMA_ID}.json`,
    ...z.toJSONSchema(RecipeSchema, { io: 'input', unrepresentable: 'any' }),
  }
}
