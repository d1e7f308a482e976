import { createResourceResolver } from '@codebox/backend-playground'

/** True when WPGraphQL (not on npm) resolves from the codebox cache without a download. */
export const hasWpGraphql: boolean = await createResourceResolver({ download: false })
  .resolvePlugin('wp-graphql')
  .then(
    () => true,
    () => false,
  )

/** Title suffix for tests that need WPGraphQL: says why they were skipped. */
export const needsWpGraphql: string = hasWpGraphql
  ? '(WPGraphQL from the codebox cache)'
  : '(skipped: WPGraphQL not in the codebox cache; seed it with `codebox cache add ./wp-graphql`)'
