import type { KeyObject } from 'node:crypto'
import type { ApprovalHandler, CredentialProvider } from '@codebox/policy'
import type { RuntimeBackend, RuntimeDiagnostic } from '../backend.js'
import { createRuntime } from '../create-runtime.js'
import { isCodeboxError, TimeoutError, ValidationError, type ValidationIssue } from '../errors.js'
import type { RuntimeEvent } from '../events.js'
import { parseKeyValueArgs, toValidationIssues } from '../key-value-args.js'
import type { Logger } from '../logger.js'
import type { CallOptions, CollectResult, CommandResult, Runtime } from '../runtime.js'
import type {
  NamedRecipeCommand,
  RecipeBackendFactory,
  RecipeCommand,
  RecipeRuntimeSpec,
} from './recipe-capabilities.js'
import { PLUGIN_RUNTIME_DIAGNOSTIC_SCHEMA_ID, parseRecipe, type Recipe } from './recipe-schema.js'

/** Phases of a recipe run, in execution order. */
export const RECIPE_PHASES = [
  'boot',
  'blueprint',
  'mu-plugin-loaders',
  'activate-plugins',
  'setup',
  'health-probes',
  'site-seeds',
  'workflow',
] as const

/** One phase of a recipe run. */
export type RecipePhase = (typeof RECIPE_PHASES)[number]

/** The schema id of a {@link RecipeRunResult}. */
export const RECIPE_RUN_SCHEMA_ID = 'codebox/recipe-run/v1'

/** A diagnostic as written to the bundle and returned by {@link runRecipe}. */
export type RecipeDiagnostic = RuntimeDiagnostic & {
  readonly schema: typeof PLUGIN_RUNTIME_DIAGNOSTIC_SCHEMA_ID
}

/** What happened to one planned step. */
export interface RecipeStepOutcome {
  readonly phase: RecipePhase
  readonly name: string
  readonly command: string
  /** 0-based position within its phase. */
  readonly executionIndex: number
  /** The command's status, `check-failed` when it ran but its check failed, or `skipped`. */
  readonly status: CommandResult['status'] | 'check-failed' | 'skipped'
  readonly exitCode: number | null
  readonly durationMs: number
  /** Position among the runtime's commands (`commands.jsonl`), or null when skipped. */
  readonly commandIndex: number | null
  readonly message?: string
}

/** Progress reported while a recipe runs. */
export type RecipeEvent =
  | { readonly type: 'recipe.phase.started'; readonly phase: RecipePhase; readonly steps: number }
  | {
      readonly type: 'recipe.phase.finished'
      readonly phase: RecipePhase
      readonly status: 'ok' | 'failed' | 'skipped'
      readonly durationMs: number
    }
  | {
      readonly type: 'recipe.step.started'
      readonly phase: RecipePhase
      readonly name: string
      readonly command: string
      readonly executionIndex: number
    }
  | { readonly type: 'recipe.step.finished'; readonly outcome: RecipeStepOutcome }
  | { readonly type: 'recipe.diagnostic'; readonly diagnostic: RecipeDiagnostic }
  | { readonly type: 'recipe.collect.started'; readonly directory: string }
  | {
      readonly type: 'recipe.finished'
      readonly status: RecipeRunResult['status']
      readonly durationMs: number
    }

/** Options of {@link runRecipe}. */
export interface RunRecipeOptions extends CallOptions {
  /** Turns `recipe.runtime` into a backend and its recipe capabilities, e.g. `playgroundRecipeBackend`. */
  readonly backendFactory: RecipeBackendFactory
  /**
   * Directory relative host paths in the recipe (mount and plugin sources, the artifacts directory) resolve
   * against; normally the recipe file's directory. Default: left relative (the process working directory).
   */
  readonly baseDir?: string
  /** Overrides `recipe.artifacts.directory`. Without either, no bundle is written. */
  readonly artifactsDirectory?: string
  /** Overrides `recipe.policy`. Default: the recipe's policy, else least privilege inferred from the recipe. */
  readonly policy?: unknown
  /**
   * Commands added to the inferred policy, for what the caller does with a kept runtime (e.g. `serve` needs
   * `wordpress.http-request`). Ignored when a policy is given. Default none.
   */
  readonly allowCommands?: readonly string[]
  /** Where connector secrets come from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly secretProvider?: CredentialProvider
  readonly onApproval?: ApprovalHandler
  /** Console-shaped logger. Default silent. */
  readonly logger?: Logger
  /** Recipe progress. Listener errors are ignored. */
  readonly onEvent?: (event: RecipeEvent) => void
  /** Every (redacted) runtime event. */
  readonly onRuntimeEvent?: (event: RuntimeEvent) => void
  /** Deadline of the boot in ms. Default the `createRuntime` default (120 s). */
  readonly createTimeoutMs?: number
  /** Signs the bundle's attestation. Default an ephemeral key. */
  readonly signingKey?: KeyObject | string
  /** Keep the runtime alive and return it (the caller destroys it). Default false: destroyed after collect. */
  readonly keepRuntime?: boolean
  /**
   * Destroy the runtime on process exit, SIGINT and SIGTERM (see `createRuntime`). Default true. A caller that
   * aborts the run on those signals itself (so the bundle is still collected) passes false.
   */
  readonly cleanupOnExit?: boolean
}

/** What {@link runRecipe} returns. */
export interface RecipeRunResult {
  readonly schema: typeof RECIPE_RUN_SCHEMA_ID
  /**
   * `ok` when every phase passed; `failed` when a step, check or probe failed; `timed-out` when `timeoutMs` passed
   * after boot; `aborted` on the caller's signal.
   */
  readonly status: 'ok' | 'failed' | 'timed-out' | 'aborted'
  readonly label: string | null
  /** The first phase that failed, or null. */
  readonly failedPhase: RecipePhase | null
  readonly runtimeId: string
  /** Every planned step with what happened to it, in execution order. */
  readonly steps: readonly RecipeStepOutcome[]
  /** `wp-codebox/plugin-runtime-diagnostic/v1` entries raised by the recipe phases. */
  readonly diagnostics: readonly RecipeDiagnostic[]
  /** Milliseconds per phase (`recipe.<phase>Ms`) and in total (`recipe.totalMs`). Also written to the bundle. */
  readonly timings: Readonly<Record<string, number>>
  /** The bundle written, or null when no artifacts directory was configured or collecting failed. */
  readonly bundle: CollectResult | null
  /** Why collecting the bundle failed, if it did. */
  readonly bundleError: { readonly code: string; readonly message: string } | null
  /** The live runtime, only with `keepRuntime: true`. */
  readonly runtime?: Runtime
}

interface PlannedStep extends RecipeCommand {
  readonly name: string
  readonly allowFailure: boolean
}

/** How long collecting the bundle may take after the workflow, independent of the run's own deadline. */
const COLLECT_TIMEOUT_MS = 120_000

type Plan = Record<Exclude<RecipePhase, 'boot'>, readonly PlannedStep[]>

/** The outcome of a planned step that did not run (an earlier failure, or the run was stopped). */
function skipped(phase: RecipePhase, step: PlannedStep, executionIndex: number): RecipeStepOutcome {
  return {
    phase,
    name: step.name,
    command: step.command,
    executionIndex,
    status: 'skipped',
    exitCode: null,
    durationMs: 0,
    commandIndex: null,
  }
}

const DIAGNOSTIC_PHASE: Record<RecipePhase, RuntimeDiagnostic['phase']> = {
  boot: 'boot',
  blueprint: 'boot',
  'mu-plugin-loaders': 'setup',
  'activate-plugins': 'setup',
  setup: 'setup',
  'health-probes': 'health-probe',
  'site-seeds': 'setup',
  workflow: 'runtime',
}

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

function resolvePaths(recipe: Recipe, baseDir: string | undefined): Recipe {
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

function plainArgs(args: RecipeCommand['args']): Record<string, unknown> | readonly string[] {
  return args ?? {}
}

/** Builds every phase's commands before boot, so a declaration the backend cannot express fails early. */
function planRecipe(
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
function checkSteps(plan: Plan, backend: RuntimeBackend): void {
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
function inferredPolicy(recipe: Recipe, plan: Plan, extra: readonly string[]): Record<string, unknown> {
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

function failureMessage(result: Exclude<CommandResult, { status: 'ok' }>): string {
  // stderr says why (WP-CLI errors); stdout of a failed PHP request is often an HTML error page, so it is left to
  // the command trace in the bundle.
  const detail = result.stderr.trim()
  if (!detail || result.message.includes(detail)) return result.message
  return `${result.message}: ${detail.length > 500 ? `${detail.slice(0, 500)}…` : detail}`
}

/**
 * Runs a `wp-codebox/workspace-recipe/v1` recipe and returns what happened, with a bundle when an artifacts
 * directory is configured. Backend-agnostic: `options.backendFactory` supplies the backend and the commands that
 * express the recipe's declarations. The order is stable:
 *
 * 1. boot: mount `inputs.mounts` and `inputs.extra_plugins` (connector credentials fail closed before this);
 * 2. `runtime.blueprint` steps that are not applied at boot;
 * 3. install mu-plugin loaders; 4. activate extra plugins in recipe order;
 * 5. `pluginRuntime.setup` in order; 6. `pluginRuntime.healthProbes` in order (all run, each failure reported);
 * 7. import `siteSeeds`; 8. `workflow.steps`.
 *
 * A failed step or probe adds a `wp-codebox/plugin-runtime-diagnostic/v1` diagnostic and stops the run before the
 * next phase (before the workflow); the bundle is still collected, with logs, command traces, per-phase timings and
 * the attestation.
 *
 * @example
 * const result = await runRecipe(recipe, { backendFactory: playgroundRecipeBackend, baseDir: '/path/to/recipe' })
 * if (result.status !== 'ok') console.error(result.diagnostics)
 *
 * @throws ValidationError (`RECIPE_INVALID`) with recipe paths, before anything boots;
 *   `ConnectorCredentialError` when a connector secret is missing or denied (before boot); the backend's boot error
 *   (e.g. `RESOURCE_UNAVAILABLE`); `OPERATION_TIMED_OUT` when the boot outlives `timeoutMs` or `createTimeoutMs`,
 *   `OPERATION_ABORTED` when `signal` fires during the boot. After boot a deadline or abort is a result
 *   (`status: 'timed-out' | 'aborted'`), so the bundle is still collected.
 */
export async function runRecipe(input: unknown, options: RunRecipeOptions): Promise<RecipeRunResult> {
  const started = performance.now()
  const recipe = resolvePaths(parseRecipe(input), options.baseDir)
  const pluginRuntime = recipe.inputs?.pluginRuntime
  const spec: RecipeRuntimeSpec = {
    recipe,
    runtime: recipe.runtime ?? {},
    extraPlugins: recipe.inputs?.extra_plugins ?? [],
    php: pluginRuntime?.php ?? {},
    wpConfigDefines: pluginRuntime?.wpConfigDefines ?? {},
    baseDir: options.baseDir,
  }
  const { backend, capabilities } = await options.backendFactory(spec)
  const plan = planRecipe(recipe, capabilities)
  checkSteps(plan, backend)
  const emit = (event: RecipeEvent) => {
    try {
      options.onEvent?.(event)
    } catch {
      // A progress listener must not break the run.
    }
  }
  // The deadline is kept apart from the caller's signal so a run that ran out of time is reported as timed out,
  // not as interrupted: callers (the CLI's exit codes) treat the two differently.
  const deadline = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs)
  const signals = [options.signal, deadline].filter((s): s is AbortSignal => s !== undefined)
  const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined
  const timedOut = () => deadline?.aborted === true && options.signal?.aborted !== true

  const timings: Record<string, number> = {}
  const bootStarted = performance.now()
  emit({ type: 'recipe.phase.started', phase: 'boot', steps: 0 })
  let runtime: Runtime
  try {
    runtime = await createRuntime({
      backend,
      policy: options.policy ?? recipe.policy ?? inferredPolicy(recipe, plan, options.allowCommands ?? []),
      mounts: (recipe.inputs?.mounts ?? []).map((mount) => ({
        source: mount.source,
        target: mount.target,
        mode: mount.mode ?? 'readonly',
      })),
      connectors: recipe.inputs?.connectors ?? [],
      metadata: {
        recipe: {
          schema: recipe.schema,
          label: recipe.label ?? null,
          pluginRuntime: pluginRuntime?.label ?? null,
          document: recipe,
        },
      },
      ...(options.env ? { env: options.env } : {}),
      ...(options.secretProvider ? { secretProvider: options.secretProvider } : {}),
      ...(options.onApproval ? { onApproval: options.onApproval } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(signal ? { signal } : {}),
      ...(options.createTimeoutMs === undefined ? {} : { timeoutMs: options.createTimeoutMs }),
      ...(options.cleanupOnExit === undefined ? {} : { cleanupOnExit: options.cleanupOnExit }),
    })
  } catch (error) {
    timings['recipe.bootMs'] = Math.round(performance.now() - bootStarted)
    emit({
      type: 'recipe.phase.finished',
      phase: 'boot',
      status: 'failed',
      durationMs: timings['recipe.bootMs'],
    })
    if (timedOut() && options.timeoutMs !== undefined) throw new TimeoutError('runRecipe', options.timeoutMs)
    throw error
  }
  timings['recipe.bootMs'] = Math.round(performance.now() - bootStarted)
  emit({ type: 'recipe.phase.finished', phase: 'boot', status: 'ok', durationMs: timings['recipe.bootMs'] })
  const unsubscribe = options.onRuntimeEvent ? runtime.on('*', options.onRuntimeEvent) : () => {}

  const steps: RecipeStepOutcome[] = []
  const diagnostics: RecipeDiagnostic[] = []
  let failedPhase: RecipePhase | null = null
  let aborted = false
  const diagnose = (
    phase: RecipePhase,
    step: PlannedStep,
    executionIndex: number,
    outcome: RecipeStepOutcome,
    severity: RuntimeDiagnostic['severity'],
  ) => {
    const diagnostic: RecipeDiagnostic = {
      schema: PLUGIN_RUNTIME_DIAGNOSTIC_SCHEMA_ID,
      severity,
      phase: DIAGNOSTIC_PHASE[phase],
      name: step.name,
      command: step.command,
      exitCode: outcome.exitCode,
      message: outcome.message ?? `${step.command} failed`,
      executionIndex,
    }
    diagnostics.push(diagnostic)
    emit({ type: 'recipe.diagnostic', diagnostic })
  }

  try {
    for (const phase of RECIPE_PHASES) {
      if (phase === 'boot') continue
      const planned = plan[phase]
      if (failedPhase !== null || aborted) {
        for (const [executionIndex, step] of planned.entries())
          steps.push(skipped(phase, step, executionIndex))
        if (planned.length > 0)
          emit({ type: 'recipe.phase.finished', phase, status: 'skipped', durationMs: 0 })
        continue
      }
      if (planned.length === 0) continue
      const phaseStarted = performance.now()
      emit({ type: 'recipe.phase.started', phase, steps: planned.length })
      let phaseFailed = false
      for (const [executionIndex, step] of planned.entries()) {
        // Probes all run, so one run reports every unhealthy part; other phases stop at the first failure.
        if ((phaseFailed && phase !== 'health-probes') || aborted) {
          steps.push(skipped(phase, step, executionIndex))
          continue
        }
        emit({ type: 'recipe.step.started', phase, name: step.name, command: step.command, executionIndex })
        let outcome = await runStep(runtime, phase, step, executionIndex, signal)
        if (outcome.status === 'aborted' && timedOut()) {
          outcome = {
            ...outcome,
            status: 'timed-out',
            message: `"${step.command}" was stopped: the recipe did not finish within ${options.timeoutMs} ms`,
          }
        }
        steps.push(outcome)
        emit({ type: 'recipe.step.finished', outcome })
        if ((outcome.status === 'aborted' || outcome.status === 'timed-out') && signal?.aborted)
          aborted = true
        if (outcome.status !== 'ok') {
          if (step.allowFailure && !aborted) {
            diagnose(phase, step, executionIndex, outcome, 'warning')
          } else {
            diagnose(phase, step, executionIndex, outcome, 'error')
            phaseFailed = true
          }
        }
      }
      const durationMs = Math.round(performance.now() - phaseStarted)
      timings[`recipe.${camel(phase)}Ms`] = durationMs
      emit({ type: 'recipe.phase.finished', phase, status: phaseFailed ? 'failed' : 'ok', durationMs })
      if (phaseFailed) failedPhase = phase
    }
  } finally {
    unsubscribe()
  }
  timings['recipe.totalMs'] = Math.round(performance.now() - started)
  const status: RecipeRunResult['status'] = aborted
    ? timedOut()
      ? 'timed-out'
      : 'aborted'
    : failedPhase === null
      ? 'ok'
      : 'failed'

  let bundle: CollectResult | null = null
  let bundleError: RecipeRunResult['bundleError'] = null
  const directory = options.artifactsDirectory ?? recipe.artifacts?.directory
  try {
    if (directory !== undefined) {
      emit({ type: 'recipe.collect.started', directory })
      const collectStarted = performance.now()
      bundle = await runtime.collect({
        directory,
        // Bounded on its own: a run that hit its deadline still writes its bundle, but never waits forever for it.
        timeoutMs: COLLECT_TIMEOUT_MS,
        format: recipe.artifacts?.format ?? 'directory',
        includeSnapshot: recipe.artifacts?.includeSnapshot === true && runtime.state === 'ready',
        timings: { ...timings, 'recipe.collectStartedAfterMs': Math.round(collectStarted - started) },
        diagnostics,
        ...(options.signingKey === undefined ? {} : { signingKey: options.signingKey }),
      })
    }
  } catch (error) {
    bundleError = {
      code: isCodeboxError(error) ? error.code : 'BUNDLE_WRITE_FAILED',
      message: error instanceof Error ? error.message : String(error),
    }
  } finally {
    if (!options.keepRuntime) await runtime.destroy()
  }
  emit({ type: 'recipe.finished', status, durationMs: Math.round(performance.now() - started) })
  return {
    schema: RECIPE_RUN_SCHEMA_ID,
    status,
    label: recipe.label ?? pluginRuntime?.label ?? null,
    failedPhase,
    runtimeId: runtime.id,
    steps,
    diagnostics,
    timings,
    bundle,
    bundleError,
    ...(options.keepRuntime ? { runtime } : {}),
  }
}

function camel(phase: RecipePhase): string {
  return phase.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())
}

async function runStep(
  runtime: Runtime,
  phase: RecipePhase,
  step: PlannedStep,
  executionIndex: number,
  signal: AbortSignal | undefined,
): Promise<RecipeStepOutcome> {
  const base = { phase, name: step.name, command: step.command, executionIndex }
  let result: CommandResult
  try {
    result = await runtime.execute({
      command: step.command,
      args: plainArgs(step.args) as never,
      ...(step.timeoutMs === undefined ? {} : { timeoutMs: step.timeoutMs }),
      ...(signal ? { signal } : {}),
    })
  } catch (error) {
    // Invalid arguments or an unknown command: the step cannot run at all.
    return {
      ...base,
      status: 'failed',
      exitCode: null,
      durationMs: 0,
      commandIndex: null,
      message: isCodeboxError(error) ? `${error.code}: ${error.message}` : String(error),
    }
  }
  const common = {
    ...base,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    commandIndex: result.index,
  }
  if (result.status !== 'ok') return { ...common, status: result.status, message: failureMessage(result) }
  let problem: string | undefined
  try {
    problem = step.check?.(result)
  } catch (error) {
    problem = `the check threw: ${error instanceof Error ? error.message : String(error)}`
  }
  return problem === undefined
    ? { ...common, status: 'ok' }
    : { ...common, status: 'check-failed', message: problem }
}
