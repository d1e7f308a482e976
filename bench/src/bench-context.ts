import type { BenchConfig } from './bench-config.js'
import type { BenchResults } from './bench-results.js'
import type { WpGraphqlAvailability } from './wpgraphql-plugin.js'

/** What every section of the run reads and writes. */
export interface BenchContext {
  readonly config: BenchConfig
  readonly results: BenchResults
  readonly wpGraphql: WpGraphqlAvailability
  /** `['wp-graphql']` when WPGraphQL is resolvable, else none: every codebox runtime uses the same plugin set. */
  readonly plugins: readonly string[]
}
