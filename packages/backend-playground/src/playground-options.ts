import { isAbsolute } from 'node:path'
import { ApprovedPluginManifestSchema } from '@codebox/policy'
import { formatPath } from '@codebox/runtime-core'
import { z } from 'zod'
import { BackendPlaygroundError } from './errors.js'
import { GraphqlGuardrailsSchema } from './headless/graphql-guardrails-options.js'
import { HeadlessOptionsSchema } from './headless/headless-options.js'
import { PhpunitToolkitOptionsSchema } from './phpunit/phpunit-toolkit.js'
import { PluginSpecSchema } from './resources/index.js'

/** PHP versions the backend supports and tests. */
export const SUPPORTED_PHP_VERSIONS = ['8.1', '8.2', '8.3', '8.4'] as const

/** A supported PHP version. */
export type PhpVersion = (typeof SUPPORTED_PHP_VERSIONS)[number]

/** WordPress versions bundled in `@wp-playground/wordpress-builds`, newest stable first. */
export const BUNDLED_WORDPRESS_VERSIONS = ['6.5', '6.4', '6.3', '6.2'] as const

/** The default WordPress: the newest stable bundled build. */
export const DEFAULT_WORDPRESS_VERSION = '6.5'

const ConstantName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid PHP constant name, e.g. WP_DEBUG')
const IniName = z.string().regex(/^[a-z0-9_.]+$/, 'must be a php.ini directive name, e.g. memory_limit')

const MountOptionSchema = z.strictObject({
  source: z.string().min(1, 'give the host path to mount'),
  target: z.string().min(1, 'give an absolute path under /wordpress'),
  mode: z.enum(['readonly', 'readwrite']).default('readonly'),
})

/** Options of {@link playground}. Every field is optional. */
export const PlaygroundOptionsSchema = z.strictObject({
  /**
   * Which WordPress to run. Default `'6.5'`, the newest stable bundled build. One of:
   * - a bundled version: `'6.5'`, `'6.4'`, `'6.3'`, `'6.2'`, `'beta'`, `'nightly'`, or `'latest'` (the newest stable);
   * - a path to a WordPress release zip as downloaded from wordpress.org (`wordpress/` with `wp-admin`, `wp-includes`,
   *   `wp-content`), or to a directory holding such a release unpacked (the `wordpress/` directory or its parent).
   *   It is installed on SQLite once per distinct content (a directory is hashed by content, so an edit gives a new
   *   template) and cached under `cacheDir`; later creates boot the cached template and run no installer;
   * - a path to a Playground build zip from `@wp-playground/wordpress-builds` (an installed site with its database).
   *
   * A path that does not exist fails with `WORDPRESS_UNAVAILABLE`; one that holds no WordPress release fails with
   * `WORDPRESS_RELEASE_INVALID`.
   *
   * @example playground({ wordpress: './wordpress-6.5.5.zip' })
   */
  wordpress: z.string().min(1).default(DEFAULT_WORDPRESS_VERSION),
  /** PHP version. Default `'8.3'`. */
  php: z
    .enum(SUPPORTED_PHP_VERSIONS, { error: `must be one of ${SUPPORTED_PHP_VERSIONS.join(', ')}` })
    .default('8.3'),
  /** The URL WordPress believes it is served at. Default `http://127.0.0.1`. */
  siteUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:8080' })
    .default('http://127.0.0.1'),
  /** Extra wp-config constants, defined before WordPress loads. Default none. */
  constants: z.record(ConstantName, z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  /** Extra php.ini entries. Default none. */
  phpIni: z.record(IniName, z.string()).default({}),
  /** PHP `memory_limit`. Default `'256M'`. */
  memoryLimit: z
    .string()
    .regex(/^\d+[KMG]?$/, 'must look like "256M"')
    .default('256M'),
  /** Plugins to install (and by default activate) before the runtime is ready. Default none. */
  plugins: z.array(PluginSpecSchema).default([]),
  /** Mounts made before WordPress boots. Default none. */
  mounts: z.array(MountOptionSchema).default([]),
  /** Where templates, layers and downloaded resources are cached. Default `$CODEBOX_CACHE_DIR` or `~/.cache/codebox`. */
  cacheDir: z.string().min(1).optional(),
  /** Path to a wp-cli.phar to use instead of resolving one. */
  wpCli: z.string().min(1).optional(),
  /** Per-command output cap in bytes kept from PHP. Default 8 MiB. */
  maxOutputBytes: z
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  /**
   * A `codebox/approved-plugins/v1` manifest (see `@codebox/policy`). When given, every plugin of the runtime (and
   * of a snapshot it restores) must be listed with its exact slug, version and SHA-256, or creation fails with
   * `PLUGIN_NOT_APPROVED` before anything boots. Default: no manifest, every resolvable plugin is allowed.
   */
  approvedPlugins: ApprovedPluginManifestSchema.optional(),
  /** Allow resource downloads when not cached. Default true unless `CODEBOX_OFFLINE=1`. */
  download: z.boolean().optional(),
  /**
   * The headless policy pack (a must-use plugin; see {@link HeadlessOptionsSchema}): every rule on by default, each
   * switchable; `false` installs no pack and WordPress behaves as usual.
   */
  headless: z.union([z.literal(false), HeadlessOptionsSchema]).prefault({}),
  /** GraphQL guardrails (see {@link GraphqlGuardrailsSchema}). Default depth 10, complexity 500, page 100, body 64 KiB. */
  graphql: GraphqlGuardrailsSchema.prefault({}),
  /**
   * In-memory OPcache (PHP 8.1+; every supported version): compiled PHP is kept between requests and revalidated
   * by timestamp on every include, so edited files and new code take effect at once. About 3× faster warm
   * WordPress requests for about 100 MB more memory per runtime. Default false.
   */
  opcache: z.boolean().default(false),
  /**
   * Keeps `size` PHP workers per template booted ahead of time, so create and fork (`from: snapshot`) take a ready
   * one. Workers are used once, refilled in the background and stopped by `playgroundPool.drain()` or at exit.
   * Only used when the runtime has no mounts. Default: no pool.
   */
  pool: z.strictObject({ size: z.number().int().min(0).max(16) }).optional(),
  /**
   * Must-use plugins the embedding program owns: file name (`my-rules.php`) → PHP source. Written into
   * `wp-content/mu-plugins` at create, after the headless pack, and again after a lost PHP worker is recovered, so
   * they are always there. Default none.
   *
   * @example playground({ muPlugins: { 'my-rules.php': '<?php add_filter(…);' } })
   */
  muPlugins: z
    .record(
      z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]*\.php$/, 'must be a file name such as "my-rules.php"')
        .refine(
          (name) =>
            !['codebox-headless.php', 'codebox-graphql-guardrails.php', 'codebox-mail.php'].includes(name),
          {
            error: 'is the name of a codebox must-use plugin; pick another',
          },
        ),
      z.string().startsWith('<?php', 'must be PHP source starting with "<?php"'),
    )
    .default({}),
  /**
   * A durable database: the site's SQLite database directory (`wp-content/database`) lives in `directory` on the
   * host, mounted read-write, so every write SQLite makes goes straight to the host file; after each command the
   * backend syncs it to disk, so a committed write survives a crash of the process or the machine. An empty (or
   * missing) directory is initialised from the site template's database; an existing database is used as it is, so a
   * runtime created on the same directory later continues where the last one stopped. Snapshots include the
   * database and restores replace its files atomically; a lost PHP worker is recovered on the database as it is on
   * disk. One runtime at a time may use a directory (the caller ensures it). A runtime with a durable database never
   * takes a pooled worker. Default: the database lives in the runtime's memory and goes away with it.
   *
   * @example playground({ database: { directory: '/srv/codebox/acme/database' } })
   */
  database: z
    .strictObject({
      directory: z.string().min(1, 'give the absolute host directory that holds the database'),
    })
    .optional(),
  /**
   * Where `wordpress.phpunit` finds PHPUnit 9, the PHPUnit Polyfills and the WordPress test library (host
   * directories). Each one left out is looked up in its environment variable, then in the cache, then (the polyfills
   * and the test library only, when `download` allows) downloaded from its pinned release. Default: looked up.
   */
  phpunit: PhpunitToolkitOptionsSchema.default({}),
})

/** What a caller passes to {@link playground}. */
export type PlaygroundOptions = z.input<typeof PlaygroundOptionsSchema>

/** Parsed options with defaults applied. */
export type ResolvedPlaygroundOptions = z.output<typeof PlaygroundOptionsSchema>

/** Invalid `playground()` options; `issues` names every bad field. */
export class PlaygroundOptionsError extends BackendPlaygroundError {
  readonly issues: readonly { readonly path: string; readonly message: string }[]

  constructor(issues: readonly { path: string; message: string }[]) {
    super(
      'PLAYGROUND_OPTIONS_INVALID',
      `Invalid playground() options: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      {
        details: { issues },
      },
    )
    this.issues = issues
  }
}

/** Validates `playground()` options, throwing {@link PlaygroundOptionsError} that names each bad field. */
export function parsePlaygroundOptions(input: unknown): ResolvedPlaygroundOptions {
  const parsed = PlaygroundOptionsSchema.safeParse(input ?? {})
  if (!parsed.success) {
    throw new PlaygroundOptionsError(
      parsed.error.issues.map((issue) => ({ path: formatPath('$', issue.path), message: issue.message })),
    )
  }
  const database = parsed.data.database?.directory
  if (database !== undefined && (!isAbsolute(database) || database.split(/[\\/]/).includes('..'))) {
    throw new PlaygroundOptionsError([
      {
        path: '$.database.directory',
        message: `${JSON.stringify(database)} must be an absolute host path without ".." segments (e.g. path.resolve(dir))`,
      },
    ])
  }
  for (const [index, mount] of parsed.data.mounts.entries()) {
    if (!mount.target.startsWith('/wordpress/')) {
      throw new PlaygroundOptionsError([
        { path: `$.mounts[${index}].target`, message: 'must be an absolute path under /wordpress/' },
      ])
    }
  }
  return parsed.data
}
