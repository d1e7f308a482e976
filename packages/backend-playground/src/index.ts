export type {
  GraphqlValue,
  HttpRequestValue,
  PlaygroundCommands,
  PluginListEntry,
  RestRequestValue,
  RunPhpValue,
} from './commands/command-catalogue.js'
export {
  GraphqlArgs,
  HttpRequestArgs,
  OptionGetArgs,
  OptionSetArgs,
  PluginArgs,
  playgroundCommands,
  RestRequestArgs,
  RunPhpArgs,
  WpCliArgs,
} from './commands/command-catalogue.js'
export type { ErrorDetails, PhpWorkerTerminationReason } from './errors.js'
export { BackendPlaygroundError, PhpWorkerCallError, PhpWorkerTerminatedError } from './errors.js'
export type { GraphqlGuardrails, ResolvedGraphqlGuardrails } from './headless/graphql-guardrails-options.js'
export { bodyTooLargeResponse, GraphqlGuardrailsSchema } from './headless/graphql-guardrails-options.js'
export type { HeadlessOptions, ResolvedHeadlessOptions } from './headless/headless-options.js'
export { DEFAULT_FRONTEND_STATUS, HeadlessOptionsSchema } from './headless/headless-options.js'
export type { PhpunitCase, PhpunitCaseStatus, PhpunitReport } from './phpunit/parse-junit.js'
export { parseJunitReport } from './phpunit/parse-junit.js'
export type { PhpunitValue } from './phpunit/phpunit-args.js'
export { PhpunitArgs } from './phpunit/phpunit-args.js'
export type {
  PhpunitComponent,
  PhpunitToolkit,
  PhpunitToolkitOptions,
  ResolvedPhpunitComponent,
  ResolvePhpunitToolkitOptions,
} from './phpunit/phpunit-toolkit.js'
export {
  PHPUNIT_TOOLKIT_ENV,
  PhpunitToolkitOptionsSchema,
  phpunitCachePath,
  resolvePhpunitToolkit,
} from './phpunit/phpunit-toolkit.js'
export { phpunitToolkitMissing } from './phpunit/phpunit-toolkit-missing.js'
export { defaultCacheDir, playground } from './playground-backend.js'
export type { PhpVersion, PlaygroundOptions, ResolvedPlaygroundOptions } from './playground-options.js'
export {
  BUNDLED_WORDPRESS_VERSIONS,
  DEFAULT_WORDPRESS_VERSION,
  PlaygroundOptionsError,
  PlaygroundOptionsSchema,
  parsePlaygroundOptions,
  SUPPORTED_PHP_VERSIONS,
} from './playground-options.js'
export { SUPPORTED_BLUEPRINT_STEPS } from './recipe/blueprint-steps.js'
export type { PlaygroundRecipeBackendOptions } from './recipe/playground-recipe-backend.js'
export { playgroundRecipeBackend } from './recipe/playground-recipe-backend.js'
export type {
  ResolvedPlugin,
  ResolvedResource,
  ResolvedTool,
  ResourceResolver,
  ResourceResolverOptions,
} from './resources/index.js'
export {
  createResourceResolver,
  ResourceError,
  ResourceUnavailableError,
  treeDigest,
} from './resources/index.js'
export { BACKEND_VERSION } from './runtime/runtime-provenance.js'
export { playgroundPool } from './runtime/worker-pool.js'
export type { ForwardedResponse, ForwardKind, ForwardRequest } from './serve/forward-request.js'
export { forwardErrorResponse, forwardToRuntime } from './serve/forward-request.js'
export type { ServeHandle, ServeOptions } from './serve/serve.js'
export { ServeError, serve } from './serve/serve.js'
export { MountError } from './site/site-mounts.js'
export type { DecodedSnapshot, SnapshotManifest } from './snapshot/snapshot-file.js'
export {
  decodeSnapshot,
  SNAPSHOT_SCHEMA,
  SnapshotFormatError,
  SnapshotManifestSchema,
} from './snapshot/snapshot-file.js'
export { PhpModuleInvalidError, PhpVersionUnsupportedError } from './worker/php-module-errors.js'
export type { PhpRuntimeFile } from './worker/php-module-files.js'
export type {
  InspectPhpRuntimeOptions,
  PhpRuntimeExtension,
  PhpRuntimeManifest,
} from './worker/php-runtime-manifest.js'
export { inspectPhpRuntime, PHP_RUNTIME_MANIFEST_SCHEMA } from './worker/php-runtime-manifest.js'
export { isPhpWorkerTerminatedError, PhpWorker } from './worker/php-worker-client.js'
export type {
  PhpHttpRequest,
  PhpRunInput,
  PhpRunOptions,
  PhpWorkerCallOptions,
  PhpWorkerOptions,
} from './worker/php-worker-options.js'
export type { PhpHttpResponse, PhpRunResult, PhpWorkerExit } from './worker/php-worker-results.js'
