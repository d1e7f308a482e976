import type { BenchResults } from './bench-results.js'
import { headline } from './figure.js'

/** One codebox figure beside one baseline figure: ratio = codebox p50 / baseline p50 (above 1: codebox is slower). */
export interface Comparison {
  readonly baseline: string
  readonly baselineLabel: string
  readonly baselineValue: number
  readonly ratio: number
}

const REST_BASELINES = ['raw.rest', 'native-opcache.rest', 'native.rest']
const GRAPHQL_BASELINES = ['raw.graphql', 'native-opcache.graphql', 'native.graphql']

/** Which baselines each codebox figure is printed against. */
const BASELINES: Readonly<Record<string, readonly string[]>> = {
  'cold-create': ['raw.boot'],
  'warm-create': ['raw.boot'],
  'create-first-graphql': ['raw.boot-first-graphql'],
  'create-first-graphql-pool': ['raw.boot-first-graphql'],
  fork: ['raw.boot'],
  'fork-pool': ['raw.boot'],
  rest: REST_BASELINES,
  'rest-opcache': REST_BASELINES,
  'rest-no-opcache': REST_BASELINES,
  graphql: GRAPHQL_BASELINES,
  'graphql-opcache': GRAPHQL_BASELINES,
  'graphql-no-opcache': GRAPHQL_BASELINES,
}

const SHORT_NAMES: Readonly<Record<string, string>> = {
  'raw.boot': 'raw boot',
  'raw.boot-first-graphql': 'raw boot→GQL',
  'raw.rest': 'raw',
  'raw.graphql': 'raw',
  'native-opcache.rest': 'native+OPcache',
  'native-opcache.graphql': 'native+OPcache',
  'native.rest': 'native',
  'native.graphql': 'native',
}

/** The comparisons of `figureId` against every baseline that was measured in this run. */
export function comparisonsFor(results: BenchResults, figureId: string): Comparison[] {
  const figure = results.get(figureId)
  if (!figure) return []
  return (BASELINES[figureId] ?? []).flatMap((baselineId) => {
    const baseline = results.get(baselineId)
    if (!baseline) return []
    const baselineValue = headline(baseline)
    return [
      {
        baseline: baselineId,
        baselineLabel: SHORT_NAMES[baselineId] ?? baselineId,
        baselineValue,
        ratio: headline(figure) / baselineValue,
      },
    ]
  })
}
