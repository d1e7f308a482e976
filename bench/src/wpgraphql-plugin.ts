import { existsSync } from 'node:fs'
import { createResourceResolver, type ResolvedPlugin } from '@codebox/backend-playground'

/** WPGraphQL as resolved from the codebox cache (or downloaded, when the resolver is allowed to). */
export type WpGraphqlAvailability =
  | {
      readonly available: true
      readonly plugin: ResolvedPlugin
      /** A zip or directory to seed an empty cache with (`resolver.cacheAdd`). */
      readonly seed: string
    }
  | { readonly available: false; readonly reason: string }

/** Resolves WPGraphQL the way `playground({ plugins: ['wp-graphql'] })` would; never throws. */
export async function resolveWpGraphql(): Promise<WpGraphqlAvailability> {
  try {
    const plugin = await createResourceResolver().resolvePlugin({ slug: 'wp-graphql' })
    const seed = plugin.source.endsWith('.zip') && existsSync(plugin.source) ? plugin.source : plugin.path
    return { available: true, plugin, seed }
  } catch (error) {
    return {
      available: false,
      reason: error instanceof Error ? error.message.split('\n')[0]! : String(error),
    }
  }
}
