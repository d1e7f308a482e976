import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { BenchConfig } from './bench-config.js'
import type { BenchResults } from './bench-results.js'
import { comparisonsFor } from './comparisons.js'
import type { MachineInfo } from './machine-info.js'
import type { TargetResult } from './targets.js'

/** Schema id of the JSON the harness writes. */
export const BENCH_RESULTS_SCHEMA = 'codebox/bench-results/v1'

/** How the figures were taken, so a reader of the JSON can judge them without the source. */
const METHOD = [
  'p50/p95 are nearest-rank percentiles of sequential samples after untimed warm-up requests; with few samples p95 is the maximum.',
  'codebox REST is wordpress.rest-request (rest_do_request in PHP, anonymous user); the raw baseline requests /wp-json/wp/v2/posts through its request handler and native PHP over HTTP on 127.0.0.1.',
  'GraphQL everywhere is POST /graphql with { nodeByUri(uri: "/hello-world/") { id } } on the same WordPress 6.5 + SQLite site with WPGraphQL activated and /%postname%/ permalinks.',
  'codebox and the raw baseline run PHP 8.3 in WebAssembly; the native baseline runs the system php (see versions.nativePhp).',
  'Ratios are codebox p50 / baseline p50: above 1 means codebox is slower.',
  'RSS per runtime: a child process boots one runtime, then K more idle ones; (RSS after − RSS before) / K after GC.',
  'Throughput: N runtimes each send a fixed number of requests one after another, all N at once; rate = all requests / wall time.',
]

/** Everything about a run that is not a figure. */
export interface RunInfo {
  readonly startedAt: string
  readonly durationMs: number
  readonly machine: MachineInfo
  /** The run's configuration (`BenchConfig`, or the queue bench's own counts). */
  readonly config: BenchConfig | Readonly<Record<string, number>>
  readonly versions: Readonly<Record<string, string>>
}

/** Writes every figure (with samples, comparisons and its target), the targets, the machine and the notes. */
export async function writeResults(
  file: string,
  run: RunInfo,
  results: BenchResults,
  targets: readonly TargetResult[],
): Promise<void> {
  const figures = results.figures.map((figure) => {
    const { kind, ...rest } = figure
    return {
      ...rest,
      kind,
      ...(figure.kind === 'samples' ? { p50: figure.summary.p50, p95: figure.summary.p95 } : {}),
      comparisons: comparisonsFor(results, figure.id),
      target: targets.find((target) => target.figure === figure.id),
    }
  })
  const document = {
    schema: BENCH_RESULTS_SCHEMA,
    ...run,
    finishedAt: new Date().toISOString(),
    method: METHOD,
    units: {
      ms: 'milliseconds',
      MB: '10^6 bytes',
      'req/s': 'requests per second',
      'jobs/min': 'recipe jobs per minute',
      '×': 'ratio',
      '%': 'percent',
      count: 'a count',
    },
    figures,
    targets,
    notes: results.notes,
  }
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`)
}
