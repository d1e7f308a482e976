import type { BenchSectionId } from './bench-config.js'
import type { BenchResults } from './bench-results.js'
import { headline } from './figure.js'

/** A target of issue 12 (and the snapshot targets of issue 7) judged on this run's p50 (or value). */
export interface TargetResult {
  readonly figure: string
  /** As printed, e.g. `≤ 150 ms`, `≤ 2× native+OPcache (51 ms)`. */
  readonly target: string
  readonly status: 'met' | 'missed' | 'not measured'
  readonly value?: number
  readonly limit?: number
  /** Why it was not measured. */
  readonly reason?: string
}

interface TargetSpec {
  readonly figure: string
  /** The section that measures the figure: a target whose section was left out (`--only`) is not listed. */
  readonly section: BenchSectionId
  readonly direction: 'at most' | 'at least'
  /** The limit, or why there is none in this run. */
  readonly limit: (results: BenchResults) => number | { readonly reason: string }
  readonly describe: (limit: number | undefined) => string
}

function fixed(
  figure: string,
  section: BenchSectionId,
  direction: TargetSpec['direction'],
  limit: number,
  text: string,
): TargetSpec {
  return { figure, section, direction, limit: () => limit, describe: () => text }
}

/** At most twice native PHP + OPcache serving the same request, measured in the same run. */
function twiceNativeOpcache(figure: string, baseline: string): TargetSpec {
  return {
    figure,
    section: 'requests',
    direction: 'at most',
    limit: (results) => {
      const native = results.get(baseline)
      return native
        ? 2 * headline(native)
        : { reason: `native PHP baseline ${baseline} not measured (run the native section too)` }
    },
    describe: (limit) =>
      `≤ 2× native+OPcache${limit === undefined ? '' : ` (${limit < 100 ? limit.toFixed(1) : limit.toFixed(0)} ms)`}`,
  }
}

/** Issue 12's targets. The request targets judge the figures taken with the settings `playground()` defaults to. */
const TARGETS: readonly TargetSpec[] = [
  fixed('warm-create', 'warm-create', 'at most', 150, '≤ 150 ms'),
  fixed('warm-create-pool', 'warm-create', 'at most', 25, '≤ 25 ms (pool)'),
  fixed('create-first-wordpress', 'first-answer', 'at most', 500, '≤ 500 ms'),
  fixed('create-first-wordpress-pool', 'first-answer', 'at most', 100, '≤ 100 ms (pool)'),
  fixed('create-first-graphql', 'first-answer', 'at most', 500, '≤ 500 ms'),
  fixed('create-first-graphql-pool', 'first-answer', 'at most', 100, '≤ 100 ms (pool)'),
  fixed('fork', 'fork', 'at most', 150, '≤ 150 ms'),
  fixed('fork-pool', 'fork', 'at most', 30, '≤ 30 ms (pool)'),
  fixed('snapshot-time', 'fork', 'at most', 150, '≤ 150 ms'),
  fixed('snapshot-size', 'fork', 'at most', 1, '≤ 1 MB'),
  twiceNativeOpcache('graphql', 'native-opcache.graphql'),
  fixed('rss-per-runtime', 'rss', 'at most', 40, '≤ 40 MB'),
  fixed('throughput-scaling', 'throughput', 'at least', 1.8, '≥ 1.8×'),
  fixed('throughput-n4-over-n2', 'throughput', 'at least', 1, '≥ 1× (N=4 not below N=2)'),
  fixed('soak-rss-growth', 'soak', 'at most', 5, '≤ 5 %'),
  fixed('soak-failures', 'soak', 'at most', 0, '0'),
  // Issue 14: the multi-tenant host.
  fixed('host-overhead', 'host', 'at most', 10, '≤ 10 %'),
  fixed('tenant-start-durable', 'host', 'at most', 500, '≤ 500 ms'),
  fixed('noisy-neighbour-p99', 'host', 'at most', 20, '≤ +20 %'),
  // Issue 15: the queue (bench/src/queue).
  fixed('queue-overhead', 'queue', 'at most', 50, '≤ 50 ms'),
  fixed('queue-scaling', 'queue', 'at least', 1.7, '≥ 1.7×'),
  // Issue 13: the vitest fixture.
  fixed('fixture-overhead', 'suite', 'at most', 60, '≤ 60 ms'),
]

/**
 * Judges every target whose section ran (all of them without `only`); a target whose figure or baseline is
 * missing is `not measured`, with the reason.
 */
export function evaluateTargets(
  results: BenchResults,
  only: ReadonlySet<BenchSectionId> | undefined = undefined,
): TargetResult[] {
  return TARGETS.filter((spec) => !only || only.has(spec.section)).map((spec) => {
    const figure = results.get(spec.figure)
    const limit = spec.limit(results)
    if (!figure) {
      return {
        figure: spec.figure,
        target: spec.describe(undefined),
        status: 'not measured',
        reason: 'figure skipped or failed',
      }
    }
    if (typeof limit !== 'number') {
      return {
        figure: spec.figure,
        target: spec.describe(undefined),
        status: 'not measured',
        reason: limit.reason,
      }
    }
    const value = headline(figure)
    const met = spec.direction === 'at most' ? value <= limit : value >= limit
    return { figure: spec.figure, target: spec.describe(limit), status: met ? 'met' : 'missed', value, limit }
  })
}
