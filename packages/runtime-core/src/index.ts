export type {
  BackendCallContext,
  BackendCollectContribution,
  BackendCommandOutcome,
  BackendCreateContext,
  BackendDeterminism,
  BackendInstance,
  BackendMount,
  ChangedFile,
  ChangeSet,
  CommandContext,
  EnforcementEntry,
  MountSpec,
  ProvenanceComponent,
  RuntimeBackend,
  RuntimeDiagnostic,
  RuntimeProvenance,
  RuntimeSnapshot,
} from './backend.js'
export type {
  CommandArgs,
  CommandCatalogue,
  CommandDefinition,
  CommandName,
  CommandValue,
} from './commands.js'
export { defineCommand } from './commands.js'
export { createRuntime } from './create-runtime.js'
export type { CodeboxErrorOptions, RuntimeState, ValidationIssue } from './errors.js'
export {
  AbortedError,
  CODEBOX_ERROR_BRAND,
  CodeboxError,
  CommandFailedError,
  isCodeboxError,
  RuntimeStateError,
  TimeoutError,
  UnknownCommandError,
  ValidationError,
} from './errors.js'
export type { ObserveOptions } from './event-hub.js'
export type {
  CommandStatus,
  LogLevel,
  RuntimeEvent,
  RuntimeEventBase,
  RuntimeEventInput,
  RuntimeEventOf,
  RuntimeEventPayloads,
  RuntimeEventType,
  Severity,
} from './events.js'
export { RUNTIME_EVENT_TYPES } from './events.js'
export { fanOut } from './fan-out/fan-out.js'
export type { FanOutPhase } from './fan-out/fan-out-error.js'
export { FanOutVariantError } from './fan-out/fan-out-error.js'
export { DEFAULT_FAN_OUT_BUFFERED_EVENTS, defaultFanOutConcurrency } from './fan-out/fan-out-options.js'
export type {
  FanOutCollectOptions,
  FanOutEvent,
  FanOutEventsDroppedEvent,
  FanOutEventsOptions,
  FanOutOptions,
  FanOutResult,
  FanOutRun,
  FanOutRunContext,
  FanOutVariant,
  FanOutVariantSettledEvent,
  FanOutVariantStartedEvent,
} from './fan-out/fan-out-types.js'
export { formatPath, parseKeyValueArgs, toValidationIssues } from './key-value-args.js'
export type { Logger } from './logger.js'
export { silentLogger } from './logger.js'
export type { CapturedMail, MailMessage } from './mail-message.js'
export type { MailboxLimits } from './mailbox.js'
export { DEFAULT_MAILBOX_LIMITS } from './mailbox.js'
export type {
  NamedRecipeCommand,
  RecipeBackend,
  RecipeBackendFactory,
  RecipeCapabilities,
  RecipeCommand,
  RecipeRuntimeSpec,
} from './recipe/recipe-capabilities.js'
export type {
  RecipeDiagnostic,
  RecipeEvent,
  RecipePhase,
  RecipeRunResult,
  RecipeStepOutcome,
  RunRecipeOptions,
} from './recipe/recipe-run-types.js'
export { RECIPE_PHASES, RECIPE_RUN_SCHEMA_ID } from './recipe/recipe-run-types.js'
export type {
  PluginRuntime,
  Recipe,
  RecipeBlueprintStep,
  RecipeExtraPlugin,
  RecipeHealthProbe,
  RecipeInput,
  RecipeMount,
  RecipeStep,
  SiteSeeds,
} from './recipe/recipe-schema.js'
export {
  PLUGIN_RUNTIME_DIAGNOSTIC_SCHEMA_ID,
  parseRecipe,
  RECIPE_SCHEMA_ID,
  RecipeHealthProbeSchema,
  RecipeSchema,
  RecipeStepSchema,
  recipeJsonSchema,
} from './recipe/recipe-schema.js'
export { runRecipe } from './recipe/run-recipe.js'
export type {
  CallOptions,
  CollectOptions,
  CollectResult,
  CommandRecord,
  CommandResult,
  CommandResultBase,
  CreateRuntimeOptions,
  ExecuteRequest,
  RecordedOutput,
  Runtime,
  SnapshotOptions,
  Unmount,
} from './runtime.js'
export {
  ABORT_GRACE_MS,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CREATE_TIMEOUT_MS,
  MAX_OUTPUT_BYTES,
} from './runtime-defaults.js'
export type { DeterministicOptions } from './runtime-determinism.js'
export { DEFAULT_DETERMINISTIC_CLOCK } from './runtime-determinism.js'
export type { RuntimeLimits } from './runtime-limits.js'
export { DEFAULT_RUNTIME_LIMITS } from './runtime-limits.js'
export type { LiveRuntimeRecord } from './runtime-registry.js'
export { runtimeRegistry } from './runtime-registry.js'
export type { RuntimeStats } from './runtime-stats.js'
export { RUNTIME_RECOVERED } from './runtime-stats.js'
export { SPAN_ATTRIBUTES, SPAN_NAMES, TRACER_NAME } from './runtime-telemetry.js'
