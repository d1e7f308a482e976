/**
 * Resource resolution for the Playground backend: plugins (WPGraphQL and others) and tools (wp-cli.phar) from a
 * local source, the cache (`$CODEBOX_CACHE_DIR`) or the official download, hash-verified and locked.
 *
 * @packageDocumentation
 */

export { createResourceResolver } from './create-resource-resolver.js'
export { toProvenanceComponent } from './provenance-component.js'
export type { ResourceResolverOptions } from './resolver-context.js'
export { WORDPRESS_ORG_PLUGINS_URL, WP_CLI_RELEASE_URL } from './resolver-context.js'
export { defaultCacheDir, pluginLayerPath, pluginZipPath, toolPharPath } from './resource-cache.js'
export { sha256Digest, treeDigest } from './resource-digest.js'
export type {
  ResourceArchiveProblem,
  ResourceLookup,
  ResourcePlace,
  ResourceSpecIssue,
} from './resource-errors.js'
export {
  ResourceArchiveError,
  ResourceError,
  ResourceIntegrityError,
  ResourceSpecError,
  ResourceUnavailableError,
  ResourceUpstreamChangedError,
  ResourceVersionMismatchError,
} from './resource-errors.js'
export type { ResourceLockEntry, ResourceLockFile } from './resource-lock.js'
export { RESOURCE_LOCK_SCHEMA_ID, ResourceLockEntrySchema, ResourceLockFileSchema } from './resource-lock.js'
export type {
  CacheAddOptions,
  CacheEntry,
  ResolvedPlugin,
  ResolvedResource,
  ResolvedTool,
  ResolveResourceOptions,
  ResourceResolver,
} from './resource-resolver.js'
export type {
  NormalizedPluginSpec,
  NormalizedToolSpec,
  PluginSpec,
  ToolName,
  ToolSpec,
} from './resource-spec.js'
export {
  DEFAULT_PLUGIN_VERSIONS,
  DEFAULT_TOOL_VERSIONS,
  normalizePluginSpec,
  normalizeToolSpec,
  PluginSpecSchema,
  ToolSpecSchema,
} from './resource-spec.js'
