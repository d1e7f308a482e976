import type { RuntimeBackend } from '../backend.js'
import { ValidationError, type ValidationIssue } from '../errors.js'
import { parseKeyValueArgs, toValidationIssues } from '../key-value-args.js'
import type { NamedRecipeCommand, RecipeBackendFactory, RecipeCommand } from './recipe-capabilities.js'
import type { RecipePhase } from './recipe-run-types.js'
import type { Recipe } from './recipe-schema.js'

/** A step of a recipe phase, as it will run: the backend command, its name in the recipe, whether it may fail. */
export interface PlannedStep extends RecipeCommand {
  readonly name: string
  readonly allowFailure: boolean
}

/** Every phase after boot, with its steps in order. */
export type Plan = Record<Exclude<RecipePhase, 'boot'>, readonly PlannedStep[]>

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)
}

/** Joins without `node:path`, so runtime-core stays usable where only a POSIX-like path is known. */
function resolveAgainst(baseDir: string | undefined, path: string): string {
  if (baseDir === undefined || isAbsolute(path)) return path
  const base = baseDir.replace(/[\\/]+$/, '')
  const parts = [...base.split(/[\\/]/), ...path.split(/[\\/]/)]
  const out: string[] = []
  for (const part of parts) {
    if (part === '.' || (part === '' && out.length > 0)) continue
    if (part === '..' && out.length > 1) out.pop()
    else out.push(part)
  }
  return out.join('/') || '/'
}

/** Resolves the recipe's relative host paths (mount and plugin sources, the artifacts directory) against `baseDir`. */
export function resolvePaths(recipe: Recipe, baseDir: string | undefined): Recipe {
  const inputs = recipe.inputs
  return {
    ...recipe,
    inputs: inputs && {
      ...inputs,
      ...(inputs.mounts && {
        mounts: inputs.mounts.map((mount) => ({ ...mount, source: resolveAgainst(baseDir, mount.source) })),
      }),
      ...(inputs.extra_plugins && {
        extra_plugins: inputs.extra_plugins.map((plugin) =>
          plugin.source === undefined
            ? plugin
            : { ...plugin, source: resolveAgainst(baseDir, plugin.source) },
        ),
      }),
    },
    ...(recipe.artifacts && {
      artifacts: { ...recipe.artifacts, directory: resolveAgainst(baseDir, recipe.artifacts.directory) },
    }),
  }
}

/** Builds every phase's commands before boot, so a declaration the backend cannot express fails early. */
export function planRecipe(
  recipe: Recipe,
  capabilities: Awaited<ReturnType<RecipeBackendFactory>>['capabilities'],
): Plan {
  const inputs = recipe.inputs ?? {}
  const plugins = inputs.extra_plugins ?? []
  const runtime = inputs.pluginRuntime ?? {}
  const blueprint = recipe.runtime?.blueprint
  const blueprintSteps = blueprint === undefined ? [] : Array.isArray(blueprint) ? blueprint : blueprint.steps
  const named = (command: NamedRecipeCommand): PlannedStep => ({ ...command, allowFailure: false })
  const step =
    (phase: 'setup' | 'workflow') => (written: NonNullable<typeof runtime.setup>[number], index: number) => {
      const command = capabilities.step?.(written, index) ?? {
        command: written.command,
        args: written.args ?? {},
        ...(written.timeoutMs === undefined ? {} : { timeoutMs: written.timeoutMs }),
      }
      return {
        ...command,
        timeoutMs: written.timeoutMs ?? command.timeoutMs,
        name: written.name ?? `${phase}[${index}]`,
        allowFailure: written.allowFailure === true,
      } as PlannedStep
    }
  const present = <T>(value: T | undefined): value is T => value !== undefined
  return {
    blueprint: blueprintSteps.length === 0 ? [] : (capabilities.blueprint?.(blueprintSteps) ?? []).map(named),
    'mu-plugin-loaders': plugins
      .map((plugin, index) => {
        const command = capabilities.installMuPluginLoader(plugin, index)
        return command && { ...command, name: `mu-plugin-loader:${plugin.slug}`, allowFailure: false }
      })
      .filter(present),
    'activate-plugins': plugins
      .map((plugin, index) => {
        const command = capabilities.activatePlugin(plugin, index)
        return command && { ...command, name: `activate:${plugin.slug}`, allowFailure: false }
      })
      .filter(present),
    setup: (runtime.setup ?? []).map(step('setup')),
    'health-probes': (runtime.healthProbes ?? []).map((probe, index) => ({
      ...capabilities.probe(probe, index),
      ...(probe.timeoutMs === undefined ? {} : { timeoutMs: probe.timeoutMs }),
      name: probe.name,
      allowFailure: false,
    })),
    'site-seeds': inputs.siteSeeds ? capabilities.seeds(inputs.siteSeeds).map(named) : [],
    workflow: (recipe.workflow?.steps ?? []).map(step('workflow')),
  }
}

/**
 * Checks the recipe's own setup and workflow steps against the backend's catalogue before boot, so an unknown
 * command or a bad argument is a validation error with its recipe path, not a failure halfway through a run.
 */
export function checkSteps(plan: Plan, backend: RuntimeBackend): void {
  const issues: ValidationIssue[] = []
  const check = (steps: readonly PlannedStep[], root: string) => {
    steps.forEach((step, index) => {
      const definition = backend.commands[step.command]
      if (!definition) {
        issues.push({
          path: `${root}[${index}].command`,
          message: `backend "${backend.name}" has no command "${step.command}"; known: ${Object.keys(backend.commands).join(', ')}`,
        })
        return
      }
      let args: unknown = step.args ?? {}
      if (Array.isArray(args)) {
        try {
          args = parseKeyValueArgs(args as readonly string[], definition.args)
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          for (const issue of error.issues) {
            issues.push({ path: `${root}[${index}].args${issue.path.slice(1)}`, message: issue.message })
          }
          return
        }
      }
      const parsed = definition.args.safeParse(args)
      if (!parsed.success) {
        // key=value args have no positions for their fields, so their issues name the field under args.
        issues.push(...toValidationIssues(parsed.error, `${root}[${index}].args`))
      }
    })
  }
  check(plan.setup, '$.inputs.pluginRuntime.setup')
  check(plan.workflow, '$.workflow.steps')
  if (issues.length > 0) throw new ValidationError('RECIPE_INVALID', 'recipe', issues)
}

/** Least privilege for a recipe without a policy: exactly the commands it runs and the mounts it declares. */
export function inferredPolicy(
  recipe: Recipe,
  plan: Plan,
  extra: readonly string[],
): Record<string, unknown> {
  const commands = [
    ...new Set([...Object.values(plan).flatMap((steps) => steps.map((step) => step.command)), ...extra]),
  ]
  const mounts = (recipe.inputs?.mounts ?? []).map((mount) => ({
    path: mount.source,
    modes: [mount.mode ?? 'readonly'],
  }))
  return {
    commands: { allow: commands },
    network: 'deny',
    ...(mounts.length > 0 ? { filesystem: { mounts } } : {}),
    ...((recipe.inputs?.connectors?.length ?? 0) > 0 ? { secrets: 'connector-scoped' } : {}),
  }
}
