import type { RuntimeDiagnostic } from '../backend.js'
import { createRuntime } from '../create-runtime.js'
import { isCodeboxError, TimeoutError } from '../errors.js'
import type { CollectResult, Runtime } from '../runtime.js'
import { checkSteps, inferredPolicy, type PlannedStep, planRecipe, resolvePaths } from './plan-recipe.js'
import type { RecipeRuntimeSpec } from './recipe-capabilities.js'
import {
  RECIPE_PHASES,
  RECIPE_RUN_SCHEMA_ID,
  type RecipeDiagnostic,
  type RecipeEvent,
  type RecipePhase,
  type RecipeRunResult,
  type RecipeStepOutcome,
  type RunRecipeOptions,
} from './recipe-run-types.js'
import { PLUGIN_RUNTIME_DIAGNOSTIC_SCHEMA_ID, parseRecipe } from './recipe-schema.js'
import { runStep, skipped } from './run-recipe-step.js'

/** How long collecting the bundle may take after the workflow, independent of the run's own deadline. */
const COLLECT_TIMEOUT_MS = 120_000

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
      ...(recipe.runtime?.deterministic ? { deterministic: recipe.runtime.deterministic } : {}),
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
