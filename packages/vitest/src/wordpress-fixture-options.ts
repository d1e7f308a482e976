import { resolve } from 'node:path'
import {
  type PlaygroundCommands,
  type PlaygroundOptions,
  PlaygroundOptionsSchema,
} from '@codebox/backend-playground'
import { type CreateRuntimeOptions, formatPath, type MountSpec, type Runtime } from '@codebox/runtime-core'
import { z } from 'zod'
import { type FixtureOptionIssue, WordPressFixtureError } from './wordpress-fixture-error.js'

/** The runtime a test receives: a WordPress Playground runtime with the `wordpress.*` commands. */
export type WordPressRuntime = Runtime<PlaygroundCommands>

/** How much of a failed test's runtime the report keeps. */
export interface FailureReportOptions {
  /** The last N commands, with their status, exit code and output tails. Default 10. */
  readonly commands?: number
  /** The last N PHP error-log entries and the last N other log lines. Default 50. */
  readonly logLines?: number
  /** Also print the report to the test's stderr, where the default reporter shows it. Default true. */
  readonly console?: boolean
}

/** Options of `defineWordPressFixture()`. Every field is optional. */
export interface WordPressFixtureOptions {
  /**
   * `playground()` options (WordPress and PHP version, constants, php.ini, `headless`, `opcache`, …) except
   * `plugins`, `mounts` and `pool`, which are fields of their own here. Default: `playground()`'s defaults.
   */
  readonly backend?: Omit<PlaygroundOptions, 'plugins' | 'mounts' | 'pool'>
  /**
   * Plugins installed and activated once, when the file's site is prepared: slugs (`'wp-graphql'`) or
   * `{ slug, source }` with a local directory or zip. A plugin given here (rather than mounted) keeps forks on
   * the warm worker pool. Default none.
   */
  readonly plugins?: PlaygroundOptions['plugins']
  /**
   * Host paths mounted into the site and into every fork (a `readwrite` mount gives each fork a private copy).
   * Default none. Forks of a runtime with mounts cannot take pre-started workers from the pool.
   */
  readonly mounts?: readonly MountSpec[]
  /**
   * The policy of the site and of every fork. Default: `wordpress.*` commands, the `mounts` above, and the
   * `connectors`' secrets; no network.
   */
  readonly policy?: unknown
  /**
   * Runs once per file on the freshly booted site, before it is snapshotted: create content, set options,
   * activate plugins. Every test then starts from its result. Default none.
   */
  readonly setup?: (runtime: WordPressRuntime) => Promise<void> | void
  /** Connectors whose secrets the runtimes get as PHP constants (see `createRuntime`). Default none. */
  readonly connectors?: CreateRuntimeOptions['connectors']
  /** Where connector secrets come from. Default `process.env`. */
  readonly env?: CreateRuntimeOptions['env']
  /**
   * PHP workers kept booted ahead of time for the forks, keyed to the snapshot's layers (0 turns the pool off).
   * Each costs a PHP worker's memory (~100 MB). Default 1.
   */
  readonly pool?: number
  /** What a failed test's report keeps (see {@link FailureReportOptions}). */
  readonly report?: FailureReportOptions
  /** Fail a test (and the file) when a runtime it created outlives it. Default true. */
  readonly leakCheck?: boolean
}

/** Options with defaults applied, as the fixture uses them. */
export interface ResolvedFixtureOptions {
  readonly backend: PlaygroundOptions
  readonly mounts: readonly Required<MountSpec>[]
  readonly policy: unknown
  readonly setup: ((runtime: WordPressRuntime) => Promise<void> | void) | undefined
  readonly connectors: CreateRuntimeOptions['connectors']
  readonly env: CreateRuntimeOptions['env']
  readonly pool: number
  readonly report: Required<FailureReportOptions>
  readonly leakCheck: boolean
}

const OWN_KEYS = [
  'backend',
  'plugins',
  'mounts',
  'policy',
  'setup',
  'connectors',
  'env',
  'pool',
  'report',
  'leakCheck',
] as const
const TOP_LEVEL_IN_BACKEND: Record<string, string> = {
  plugins: 'give plugins at the top level: defineWordPressFixture({ plugins: [...] })',
  mounts: 'give mounts at the top level: defineWordPressFixture({ mounts: [...] })',
  pool: 'give the pool size at the top level: defineWordPressFixture({ pool: 1 })',
}

const MountSchema = z.strictObject({
  source: z.string().min(1, 'give the host path to mount'),
  target: z
    .string()
    .regex(
      /^\/wordpress\//,
      'must be an absolute path under /wordpress/, e.g. /wordpress/wp-content/plugins/x',
    ),
  mode: z.enum(['readonly', 'readwrite'], { error: 'must be "readonly" or "readwrite"' }).optional(),
})

const OptionsSchema = z.strictObject({
  backend: PlaygroundOptionsSchema.omit({ plugins: true, mounts: true, pool: true }).optional(),
  plugins: PlaygroundOptionsSchema.shape.plugins.optional(),
  mounts: z.array(MountSchema, { error: 'must be an array of { source, target, mode? }' }).optional(),
  policy: z.unknown().optional(),
  setup: z
    .custom<(runtime: WordPressRuntime) => unknown>((value) => typeof value === 'function', {
      error: 'must be a function, e.g. setup: async (wordpress) => { await wordpress.execute(…) }',
    })
    .optional(),
  connectors: z
    .array(z.strictObject({ name: z.string().min(1), secrets: z.array(z.string().min(1)) }), {
      error: 'must be an array of { name, secrets: [...] }',
    })
    .optional(),
  env: z.record(z.string(), z.string().optional()).optional(),
  pool: z
    .number({ error: 'must be a number of workers, e.g. 1 (0 turns the pool off)' })
    .int('must be a whole number of workers')
    .min(0, 'must be 0 (no pool) or more')
    .max(16, 'must be at most 16'),
  report: z
    .strictObject({
      commands: z.number().int().min(0, 'must be 0 or more').optional(),
      logLines: z.number().int().min(0, 'must be 0 or more').optional(),
      console: z.boolean().optional(),
    })
    .optional(),
  leakCheck: z.boolean({ error: 'must be true or false' }).optional(),
})

function issuesOf(error: z.ZodError): FixtureOptionIssue[] {
  return error.issues.flatMap((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : []
    if (keys.length === 0) return [{ path: formatPath('$', issue.path), message: issue.message }]
    return keys.map((key) => {
      const path = formatPath('$', [...issue.path, key])
      const inBackend = issue.path.length === 1 && issue.path[0] === 'backend'
      const fix =
        inBackend && key in TOP_LEVEL_IN_BACKEND
          ? TOP_LEVEL_IN_BACKEND[key]
          : issue.path.length === 0
            ? `remove it; the options are ${OWN_KEYS.join(', ')}`
            : 'remove it; it is not an option here'
      return { path, message: `is not an option: ${fix}` }
    })
  })
}

function invalid(issues: readonly FixtureOptionIssue[]): WordPressFixtureError {
  return new WordPressFixtureError(
    'VITEST_FIXTURE_OPTIONS_INVALID',
    `Invalid defineWordPressFixture() options: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`,
    { issues },
  )
}

/** The policy used when none is given: WordPress commands, the fixture's mounts, its connectors' secrets. */
function defaultPolicy(mounts: readonly Required<MountSpec>[], connectors: boolean): Record<string, unknown> {
  return {
    commands: { allow: ['wordpress.*'] },
    filesystem: {
      mounts: mounts.map((mount) => ({
        path: mount.source,
        modes: mount.mode === 'readwrite' ? ['readonly', 'readwrite'] : ['readonly'],
      })),
    },
    ...(connectors ? { secrets: 'connector-scoped' } : {}),
  }
}

/**
 * Checks `defineWordPressFixture()` options and applies the defaults.
 *
 * @throws WordPressFixtureError (`VITEST_FIXTURE_OPTIONS_INVALID`) naming every bad field and its fix.
 */
export function resolveFixtureOptions(input: unknown): ResolvedFixtureOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalid([
      { path: '$', message: 'must be an options object, e.g. defineWordPressFixture({ plugins: [...] })' },
    ])
  }
  const parsed = OptionsSchema.safeParse({ pool: 1, ...input })
  if (!parsed.success) throw invalid(issuesOf(parsed.error))
  const options = input as WordPressFixtureOptions
  // Relative mount sources are the test run's working directory's, resolved once so the policy and every fork agree.
  const mounts = (options.mounts ?? []).map((mount) => ({
    source: resolve(mount.source),
    target: mount.target,
    mode: mount.mode ?? 'readonly',
  }))
  const connectors = options.connectors ?? []
  return {
    backend: { ...options.backend, plugins: [...(options.plugins ?? [])] },
    mounts,
    policy: options.policy ?? defaultPolicy(mounts, connectors.length > 0),
    setup: options.setup,
    connectors,
    env: options.env,
    pool: parsed.data.pool,
    report: {
      commands: options.report?.commands ?? 10,
      logLines: options.report?.logLines ?? 50,
      console: options.report?.console ?? true,
    },
    leakCheck: options.leakCheck ?? true,
  }
}
