import type {
  NamedRecipeCommand,
  RecipeBackend,
  RecipeCapabilities,
  RecipeCommand,
  RecipeExtraPlugin,
  RecipeHealthProbe,
  RecipeRuntimeSpec,
  RecipeStep,
  SiteSeeds,
} from '@codebox/runtime-core'
import { ValidationError } from '@codebox/runtime-core'
import type { PluginListEntry } from '../commands/command-catalogue.js'
import { DOCUMENT_ROOT } from '../commands/php-snippets.js'
import { playground } from '../playground-backend.js'
import {
  BUNDLED_WORDPRESS_VERSIONS,
  type PlaygroundOptions,
  SUPPORTED_PHP_VERSIONS,
} from '../playground-options.js'
import { compareVersions } from '../resources/resource-cache.js'
import { isWordPressVersion } from '../resources/wordpress-release.js'
import { OLDEST_SUPPORTED_WORDPRESS } from '../site/wordpress-builds.js'
import { translateBlueprint, wpCliArgv } from './blueprint-steps.js'
import {
  muPluginLoaderProgram,
  seedOptionsProgram,
  seedPostsProgram,
  seedTermsProgram,
  seedUsersProgram,
} from './recipe-php.js'

/** Options of {@link playgroundRecipeBackend} beyond what the recipe declares. */
export interface PlaygroundRecipeBackendOptions {
  /** Cache directory. Default `$CODEBOX_CACHE_DIR` or `~/.cache/codebox`. */
  readonly cacheDir?: string
  /** Allow resource downloads when not cached. Default true unless `CODEBOX_OFFLINE=1`. */
  readonly download?: boolean
  /** The URL WordPress believes it is served at. Default `http://127.0.0.1`. */
  readonly siteUrl?: string
  /**
   * Keep this many PHP workers booted ahead of time per site configuration (see `playground({ pool })`), so a
   * process running many recipes, such as a queue worker, takes a ready one. Only used by recipes without mounts.
   * Default: no pool.
   */
  readonly pool?: { readonly size: number }
}

const WORDPRESS_CHANNELS = ['beta', 'nightly']

/** The main file of an extra plugin, relative to the plugins directory. */
function pluginFileOf(plugin: RecipeExtraPlugin): string {
  return plugin.pluginFile ?? `${plugin.slug}/${plugin.slug}.php`
}

/** The loader WordPress includes for a mu-plugin kept in its own directory. */
function loaderFileOf(plugin: RecipeExtraPlugin): string {
  return `codebox-recipe-${plugin.slug}.php`
}

function phpCode(code: string): string {
  return /^\s*<\?php/.test(code) ? code : `<?php ${code}`
}

function valueAtPath(data: unknown, path: string): unknown {
  let current = data
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

function ini(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '1' : '0'
  return String(value)
}

/** Translates the recipe's runtime declaration into `playground()` options, with recipe paths in errors. */
function playgroundOptions(
  spec: RecipeRuntimeSpec,
  options: PlaygroundRecipeBackendOptions,
): PlaygroundOptions {
  const { runtime } = spec
  const issues: { path: string; message: string }[] = []
  if (runtime.backend !== undefined && runtime.backend !== 'playground') {
    issues.push({
      path: '$.runtime.backend',
      message: `this runner provides the "playground" backend, not "${runtime.backend}"`,
    })
  }
  const wp = runtime.wp
  // A release version resolves like a plugin (cache, else wordpress.org); a path is checked when it is prepared.
  const isPath = wp !== undefined && (wp.endsWith('.zip') || wp.includes('/') || wp.includes('\\'))
  if (
    wp !== undefined &&
    !(BUNDLED_WORDPRESS_VERSIONS as readonly string[]).includes(wp) &&
    ![...WORDPRESS_CHANNELS, 'latest'].includes(wp) &&
    !isWordPressVersion(wp) &&
    !isPath
  ) {
    issues.push({
      path: '$.runtime.wp',
      message: `"${wp}" is not a WordPress version or path; use a release version such as "6.9" (bundled: ${BUNDLED_WORDPRESS_VERSIONS.join(', ')}; others resolve from the cache, \`codebox cache add\`, or wordpress.org), ${[...WORDPRESS_CHANNELS, 'latest'].join(', ')}, or a path to a WordPress release zip or directory`,
    })
  }
  if (wp !== undefined && isWordPressVersion(wp) && compareVersions(wp, OLDEST_SUPPORTED_WORDPRESS) < 0) {
    issues.push({
      path: '$.runtime.wp',
      message: `WordPress ${wp} is older than ${OLDEST_SUPPORTED_WORDPRESS}, the oldest codebox runs; use ${OLDEST_SUPPORTED_WORDPRESS} or newer`,
    })
  }
  const php = runtime.phpVersion
  if (php !== undefined && !(SUPPORTED_PHP_VERSIONS as readonly string[]).includes(php)) {
    issues.push({
      path: '$.runtime.phpVersion',
      message: `PHP ${php} is not supported; use one of ${SUPPORTED_PHP_VERSIONS.join(', ')}`,
    })
  }
  const blueprint = runtime.blueprint
  const steps = blueprint === undefined ? [] : Array.isArray(blueprint) ? blueprint : blueprint.steps
  const root = Array.isArray(blueprint) ? '$.runtime.blueprint' : '$.runtime.blueprint.steps'
  let constants: Record<string, string | number | boolean | null> = {}
  try {
    for (const step of translateBlueprint(steps, root)) {
      if (step.kind === 'constants') constants = { ...constants, ...step.consts }
    }
  } catch (error) {
    if (error instanceof ValidationError) issues.push(...error.issues)
    else throw error
  }
  if (issues.length > 0) throw new ValidationError('RECIPE_INVALID', 'recipe', issues)

  const phpIni: Record<string, string> = {}
  for (const [name, value] of Object.entries(spec.php.iniEntries ?? {})) phpIni[name] = ini(value)
  if (spec.php.maxExecutionTime !== undefined) phpIni.max_execution_time = String(spec.php.maxExecutionTime)
  return {
    ...(wp === undefined ? {} : { wordpress: wp }),
    ...(php === undefined ? {} : { php: php as (typeof SUPPORTED_PHP_VERSIONS)[number] }),
    ...(spec.php.memoryLimit === undefined ? {} : { memoryLimit: spec.php.memoryLimit }),
    phpIni,
    // Blueprint constants first: the recipe's own wpConfigDefines win on a clash.
    constants: { ...constants, ...spec.wpConfigDefines },
    // Extra plugins are resolved (hash-verified) and mounted before boot, but activated by the recipe runner,
    // in recipe order, as commands of their own.
    plugins: spec.extraPlugins.map((plugin) => ({
      slug: plugin.slug,
      ...(plugin.source === undefined ? {} : { source: plugin.source }),
      activate: false,
      loadAs: plugin.loadAs ?? 'plugin',
      ...(plugin.sha256 === undefined ? {} : { sha256: plugin.sha256 }),
      ...(plugin.version === undefined ? {} : { version: plugin.version }),
    })),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    ...(options.download === undefined ? {} : { download: options.download }),
    ...(options.siteUrl === undefined ? {} : { siteUrl: options.siteUrl }),
    ...(options.pool === undefined ? {} : { pool: options.pool }),
  }
}

function probeCommand(probe: RecipeHealthProbe, spec: RecipeRuntimeSpec): RecipeCommand {
  const contains = (text: string, wanted: string | undefined, what: string) =>
    wanted === undefined || text.includes(wanted)
      ? undefined
      : `${what} does not contain ${JSON.stringify(wanted)}: ${JSON.stringify(text.slice(0, 300))}`
  switch (probe.type) {
    case 'plugin-active': {
      const mu = spec.extraPlugins.find(
        (plugin) => plugin.loadAs === 'mu-plugin' && pluginFileOf(plugin) === probe.pluginFile,
      )
      return {
        command: 'wordpress.plugin-list',
        args: {},
        check: (result) => {
          const rows = (result.status === 'ok' ? result.value : []) as readonly PluginListEntry[]
          if (mu) {
            return rows.some((row) => row.mustUse && row.file === loaderFileOf(mu))
              ? undefined
              : `must-use plugin ${probe.pluginFile} is not loaded (its loader ${loaderFileOf(mu)} is missing)`
          }
          const row = rows.find((entry) => entry.file === probe.pluginFile)
          if (!row) {
            return `plugin ${probe.pluginFile} is not installed; installed: ${rows.map((entry) => entry.file).join(', ') || '(none)'}`
          }
          return row.active || row.mustUse
            ? undefined
            : `plugin ${probe.pluginFile} is installed but not active`
        },
      }
    }
    case 'wp-cli':
      return {
        command: 'wordpress.wp-cli',
        args: { argv: wpCliArgv(probe.command) },
        check: (result) => contains(result.stdout, probe.stdoutContains, 'WP-CLI output'),
      }
    case 'php':
      return {
        command: 'wordpress.run-php',
        args: { code: phpCode(probe.code) },
        check: (result) => contains(result.stdout, probe.stdoutContains, 'output'),
      }
    case 'graphql':
      return {
        command: 'wordpress.graphql',
        args: { query: probe.query, ...(probe.variables ? { variables: probe.variables } : {}) },
        check: (result) => {
          const value = (result.status === 'ok' ? result.value : undefined) as
            | { data: unknown; errors?: readonly { message?: string }[]; httpStatus: number }
            | undefined
          if (!value) return 'no GraphQL answer'
          if (value.errors && value.errors.length > 0) {
            return `GraphQL errors: ${value.errors.map((error) => error.message ?? JSON.stringify(error)).join('; ')}`
          }
          if (value.httpStatus !== 200) return `GraphQL answered HTTP ${value.httpStatus}`
          if (probe.expectPath !== undefined) {
            const found = valueAtPath(value.data, probe.expectPath)
            if (found === undefined || found === null) return `data.${probe.expectPath} is missing or null`
          }
          return undefined
        },
      }
    case 'http': {
      const expected = probe.expectStatus ?? 200
      return {
        command: 'wordpress.http-request',
        args: {
          path: probe.path,
          method: probe.method ?? 'GET',
          ...(probe.headers ? { headers: probe.headers } : {}),
          ...(probe.body === undefined ? {} : { body: probe.body }),
        },
        check: (result) => {
          const value = (result.status === 'ok' ? result.value : undefined) as
            | { status: number; body: string }
            | undefined
          if (!value) return 'no HTTP answer'
          if (value.status !== expected)
            return `expected HTTP ${expected}, got ${value.status} for ${probe.path}`
          return contains(value.body, probe.bodyContains, 'response body')
        },
      }
    }
  }
}

function seedCommands(seeds: SiteSeeds): NamedRecipeCommand[] {
  // Options and users first: posts may name an author, terms may be referenced by posts.
  const kinds: readonly (readonly [string, boolean, () => string])[] = [
    ['options', Object.keys(seeds.options ?? {}).length > 0, () => seedOptionsProgram(seeds.options ?? {})],
    ['users', (seeds.users?.length ?? 0) > 0, () => seedUsersProgram(seeds.users ?? [])],
    ['terms', (seeds.terms?.length ?? 0) > 0, () => seedTermsProgram(seeds.terms ?? [])],
    ['posts', (seeds.posts?.length ?? 0) > 0, () => seedPostsProgram(seeds.posts ?? [])],
  ]
  return kinds
    .filter(([, present]) => present)
    .map(([kind, , program]) => ({
      name: `site-seeds:${kind}`,
      command: 'wordpress.run-php',
      args: { code: program() },
    }))
}

/** Reads the `command` of a WP-CLI step written as `{ command: "option get x" }` or `["command=option get x"]`. */
function wpCliCommandLine(args: RecipeStep['args']): string | undefined {
  if (Array.isArray(args)) {
    const entry = args.find((value) => value.startsWith('command='))
    return entry === undefined || args.length !== 1 ? undefined : entry.slice('command='.length)
  }
  if (args && typeof args.command === 'string' && Object.keys(args).length === 1) return args.command
  return undefined
}

/** The Playground backend's recipe capabilities (see `RecipeCapabilities` in `@codebox/runtime-core`). */
function capabilities(spec: RecipeRuntimeSpec): RecipeCapabilities {
  return {
    installMuPluginLoader: (plugin) => {
      if (plugin.loadAs !== 'mu-plugin') return undefined
      const dir = `${DOCUMENT_ROOT}/wp-content/mu-plugins`
      return {
        command: 'wordpress.run-php',
        args: {
          bootstrap: 'none',
          code: muPluginLoaderProgram({
            slug: plugin.slug,
            loaderPath: `${dir}/${loaderFileOf(plugin)}`,
            requirePath: `${dir}/${pluginFileOf(plugin)}`,
          }),
        },
      }
    },
    activatePlugin: (plugin) =>
      plugin.loadAs === 'mu-plugin' || plugin.activate === false
        ? undefined
        : { command: 'wordpress.plugin-activate', args: { plugin: pluginFileOf(plugin) } },
    step: (step) => {
      const line = step.command === 'wordpress.wp-cli' ? wpCliCommandLine(step.args) : undefined
      return {
        command: step.command,
        args: line === undefined ? (step.args ?? {}) : { argv: wpCliArgv(line) },
      }
    },
    probe: (probe) => probeCommand(probe, spec),
    seeds: seedCommands,
    blueprint: (steps) => {
      const root = Array.isArray(spec.runtime.blueprint) ? '$.runtime.blueprint' : '$.runtime.blueprint.steps'
      return translateBlueprint(steps, root).flatMap((step) =>
        step.kind === 'command' ? [step.command] : [],
      )
    },
  }
}

/**
 * The recipe backend factory for WordPress Playground: pass it as `runRecipe(recipe, { backendFactory })`.
 * `runtime.wp` / `runtime.phpVersion` choose the build, `pluginRuntime.php` and `wpConfigDefines` tune PHP and
 * wp-config, `extra_plugins` are resolved (hash-verified) and mounted at `wp-content/plugins/<slug>` (or
 * `mu-plugins/<slug>` plus a loader file), and `runtime.blueprint` supports an offline subset of Playground steps:
 * `defineWpConfigConsts` (applied at boot), `setSiteOptions`, `runPHP`, `mkdir`, `writeFile`, `wp-cli` and
 * `activatePlugin`. Steps that download something are refused with their recipe path.
 *
 * @example
 * const result = await runRecipe(recipe, { backendFactory: playgroundRecipeBackend, baseDir: dirname(file) })
 *
 * @throws ValidationError (`RECIPE_INVALID`) naming `$.runtime.backend`, `$.runtime.wp`, `$.runtime.phpVersion` or
 *   a `$.runtime.blueprint[i]` step the backend cannot provide offline.
 */
export function playgroundRecipeBackend(
  spec: RecipeRuntimeSpec,
  options: PlaygroundRecipeBackendOptions = {},
): RecipeBackend {
  return { backend: playground(playgroundOptions(spec, options)), capabilities: capabilities(spec) }
}
