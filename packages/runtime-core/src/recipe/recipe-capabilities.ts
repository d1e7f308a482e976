import type { RuntimeBackend } from '../backend.js'
import type { CommandResult } from '../runtime.js'
import type {
  Recipe,
  RecipeBlueprintStep,
  RecipeExtraPlugin,
  RecipeHealthProbe,
  RecipeStep,
  SiteSeeds,
} from './recipe-schema.js'

/**
 * One command a recipe phase runs. The runner executes it through `runtime.execute()`, so the policy, approvals,
 * events, command history and bundles apply to it like to any other command.
 */
export interface RecipeCommand {
  /** Command name from the backend's catalogue, e.g. `wordpress.plugin-activate`. */
  readonly command: string
  /** Arguments: an object for the command's schema or `"key=value"` strings. Default `{}`. */
  readonly args?: Readonly<Record<string, unknown>> | readonly string[]
  /** Deadline in ms. Default the runtime's command default. */
  readonly timeoutMs?: number
  /**
   * Judges a result whose status is `ok`: returns why it failed (for example "plugin is installed but not active"),
   * or `undefined` when it passed. Without it, status `ok` passes.
   */
  readonly check?: (result: CommandResult) => string | undefined
}

/** A {@link RecipeCommand} with the name it is reported under (progress, diagnostics, results). */
export interface NamedRecipeCommand extends RecipeCommand {
  readonly name: string
}

/**
 * How a backend expresses the WordPress-specific (or, for another backend, application-specific) parts of a recipe
 * as commands of its own catalogue. runtime-core decides the order, the timing, the diagnostics and when to stop;
 * the capabilities only translate one declaration into commands. Every method is pure: it must not touch the
 * runtime, and it may throw a `ValidationError` whose issue paths are recipe paths (`$.runtime.blueprint[2]`) when a
 * declaration cannot be expressed — the runner calls every method before anything boots.
 */
export interface RecipeCapabilities {
  /**
   * The command that installs the loader of an extra plugin loaded as a must-use plugin (WordPress only loads PHP
   * files directly inside mu-plugins), or `undefined` when the plugin needs none.
   */
  installMuPluginLoader(plugin: RecipeExtraPlugin, index: number): RecipeCommand | undefined
  /** The command that activates an extra plugin, or `undefined` when it is not to be activated. */
  activatePlugin(plugin: RecipeExtraPlugin, index: number): RecipeCommand | undefined
  /**
   * Turns a setup or workflow step into the command to run, e.g. a WP-CLI `command` line into `argv`.
   * Default: the step as written.
   */
  step?(step: RecipeStep, index: number): RecipeCommand
  /** The command that runs a health probe, with a `check` deciding whether it passed. */
  probe(probe: RecipeHealthProbe, index: number): RecipeCommand
  /** The commands that import site seeds, in order. Data travels as JSON, never spliced into code. */
  seeds(seeds: SiteSeeds): readonly NamedRecipeCommand[]
  /**
   * The commands for `runtime.blueprint` steps that are not applied at boot, in order. Throws a `ValidationError`
   * (paths under `$.runtime.blueprint`) for a step outside the supported offline subset.
   */
  blueprint?(steps: readonly RecipeBlueprintStep[]): readonly NamedRecipeCommand[]
}

/** What a {@link RecipeBackendFactory} returns: the backend to boot and its recipe capabilities. */
export interface RecipeBackend {
  readonly backend: RuntimeBackend
  readonly capabilities: RecipeCapabilities
}

/** What the runner hands to the backend factory: the recipe's runtime needs, with host paths resolved. */
export interface RecipeRuntimeSpec {
  /** The whole validated recipe (with relative host paths resolved against `baseDir`). */
  readonly recipe: Recipe
  /** `recipe.runtime` (backend, wp, phpVersion, blueprint). */
  readonly runtime: NonNullable<Recipe['runtime']>
  /** `inputs.extra_plugins`, in recipe order; the backend mounts them (verifying `sha256`) before boot. */
  readonly extraPlugins: readonly RecipeExtraPlugin[]
  /** `inputs.pluginRuntime.php`: memory limit, max execution time and ini entries for the runtime. */
  readonly php: NonNullable<NonNullable<NonNullable<Recipe['inputs']>['pluginRuntime']>['php']>
  /** `inputs.pluginRuntime.wpConfigDefines`: constants defined before the application loads. */
  readonly wpConfigDefines: Readonly<Record<string, string | number | boolean | null>>
  /** Directory relative host paths were resolved against. */
  readonly baseDir: string | undefined
}

/**
 * Turns a recipe's runtime declaration into a backend and its capabilities. The caller supplies it, so runtime-core
 * never imports a backend (the Playground one is `playgroundRecipeBackend` in `@codebox/backend-playground`).
 * It may throw a `ValidationError` with recipe paths (e.g. `$.runtime.wp`) for what the backend cannot provide.
 */
export type RecipeBackendFactory = (spec: RecipeRuntimeSpec) => RecipeBackend | Promise<RecipeBackend>
