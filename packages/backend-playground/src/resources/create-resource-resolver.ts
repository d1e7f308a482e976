import { cacheAdd } from './cache-add.js'
import { cacheList } from './cache-list.js'
import { resolvePlugin } from './resolve-plugin.js'
import { resolveTool } from './resolve-tool.js'
import { resolveWordPress } from './resolve-wordpress.js'
import { createResolverContext, type ResourceResolverOptions } from './resolver-context.js'
import type { ResourceResolver } from './resource-resolver.js'

/**
 * Creates a resolver for plugins (WPGraphQL and others) and tools (wp-cli.phar).
 *
 * Order: an explicit local `source` (directory, zip or phar — used alone, never silently replaced); else the cache
 * (`<cacheDir>/plugins/<slug>/<version>/<slug>.<version>.zip`, `<cacheDir>/tools/wp-cli/<version>/wp-cli.phar`);
 * else one download from the official source (or the spec's URL), verified, then written to the cache atomically.
 *
 * @example
 * ```ts
 * const resolver = createResourceResolver()
 * const graphql = await resolver.resolvePlugin('wp-graphql') // 2.5.3, from cache or WordPress.org
 * // graphql.path → …/layers/plugin-wp-graphql-2.5.3-<hash>/wp-graphql, graphql.pluginFile → 'wp-graphql/wp-graphql.php'
 * ```
 */
export function createResourceResolver(options: ResourceResolverOptions = {}): ResourceResolver {
  const context = createResolverContext(options)
  return {
    cacheDir: context.cacheDir,
    lockFile: context.lockFile,
    resolvePlugin: (spec, resolveOptions) => resolvePlugin(context, spec, resolveOptions),
    resolveTool: (spec, resolveOptions) => resolveTool(context, spec, resolveOptions),
    resolveWordPress: (version, resolveOptions) => resolveWordPress(context, version, resolveOptions),
    cacheAdd: (zipOrDirOrPhar, addOptions) => cacheAdd(context, zipOrDirOrPhar, addOptions),
    cacheList: () => cacheList(context),
  }
}
