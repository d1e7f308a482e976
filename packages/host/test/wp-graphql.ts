import { createResourceResolver, type ResolvedPlugin } from '@codebox/backend-playground'

/** WPGraphQL as the codebox cache holds it (no download), or undefined. */
export const wpGraphql: ResolvedPlugin | undefined = await createResourceResolver({ download: false })
  .resolvePlugin('wp-graphql')
  .catch(() => undefined)

/** Title suffix for suites that need WPGraphQL: says why they were skipped. */
export const needsWpGraphql: string = wpGraphql
  ? '(WPGraphQL from the codebox cache)'
  : '(skipped: WPGraphQL not in the codebox cache; seed it with `codebox cache add`)'

/** The `approvedPlugins` of a manifest approving the cached WPGraphQL, and the tenant plugin entry for it. */
export function approvedWpGraphql(plugin: ResolvedPlugin): {
  approvedPlugins: {
    schema: 'codebox/approved-plugins/v1'
    plugins: { slug: string; version: string; sha256: string }[]
  }
  plugins: { slug: string; version: string }[]
} {
  return {
    approvedPlugins: {
      schema: 'codebox/approved-plugins/v1',
      plugins: [
        { slug: plugin.slug, version: plugin.version, sha256: plugin.sha256.replace(/^sha256:/, '') },
      ],
    },
    plugins: [{ slug: plugin.slug, version: plugin.version }],
  }
}
