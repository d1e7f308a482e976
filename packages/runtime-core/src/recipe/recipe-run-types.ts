import type { KeyObject } from 'node:crypto'
import type { ApprovalHandler, CredentialProvider } from '@codebox/policy'
import type { RuntimeDiagnostic } from '../backend.js'
import type { RuntimeEvent } from '../events.js'
import type { Logger } from '../logger.js'
import type { CallOptions, CollectResult, CommandResult, Runtime } from '../runtime.js'
import type { RecipeBackendFactory } from './recipe-capabilities.js'
import type { PLUGIN_RUNTIME_DIAGNOSTIC_SCHEMA_ID } from './recipe-schema.js'

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
