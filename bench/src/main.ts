/**
 * `pnpm bench`: the benchmark harness (issues 7 and 12). Measures codebox (create, fork, snapshot, requests, memory,
 * throughput) and, in the same run, the raw Playground packages and native PHP serving the same site; prints a
 * table with each target met or missed and writes every figure to JSON (default `bench/results/latest.json`).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { BACKEND_VERSION } from '@codebox/backend-playground'
import { type BenchSectionId, readBenchConfig } from './bench-config.js'
import { WASM_PHP_VERSION } from './bench-constants.js'
import type { BenchContext } from './bench-context.js'
import { BenchResults } from './bench-results.js'
import { measureColdCreate } from './cold-create-figures.js'
import { measureFanOutFigures } from './fan-out-figures.js'
import { measureFirstAnswer } from './first-answer-figures.js'
import { measureForkFigures } from './fork-figures.js'
import { hostBenchConfig, measureHostFigures } from './host-figures.js'
import { machineInfo } from './machine-info.js'
import { nativePhpVersion } from './native-php.js'
import { measureNativePhp } from './native-php-baseline.js'
import { measureQueue } from './queue/queue-figures.js'
import { measureRawPlayground } from './raw-playground-baseline.js'
import { renderTable } from './report-table.js'
import { measureRequestFigures } from './request-figures.js'
import { measureRss } from './rss-figures.js'
import { measureSoak } from './soak-figures.js'
import { measureSuiteFigures } from './suite-figures.js'
import { evaluateTargets } from './targets.js'
import { measureThroughput } from './throughput-figures.js'
import { measureWarmCreate } from './warm-create-figures.js'
import { WORDPRESS_VERSION } from './wordpress-zips.js'
import { resolveWpGraphql } from './wpgraphql-plugin.js'
import { writeResults } from './write-results.js'

const SECTIONS: Readonly<
  Record<BenchSectionId, readonly [string, (context: BenchContext) => Promise<void>]>
> = {
  'cold-create': ['cold create', measureColdCreate],
  'warm-create': ['warm create', measureWarmCreate],
  'first-answer': ['create → first answer', measureFirstAnswer],
  fork: ['snapshot and fork', measureForkFigures],
  requests: ['warm requests (default settings)', (context) => measureRequestFigures(context, 'default')],
  'requests-alternate': [
    'warm requests (OPcache setting flipped)',
    (context) => measureRequestFigures(context, 'alternate'),
  ],
  throughput: ['throughput', measureThroughput],
  rss: ['RSS per idle runtime (child process)', measureRss],
  host: [
    'codebox host (issue 14)',
    (context) => measureHostFigures(context.results, context.wpGraphql, hostBenchConfig(process.env)),
  ],
  soak: ['soak (child process)', measureSoak],
  raw: ['baseline: raw Playground packages', measureRawPlayground],
  native: ['baseline: native PHP', measureNativePhp],
  queue: ['queue (BullMQ on a loopback redis-server)', (context) => measureQueue(context.results)],
  suite: ['vitest fixture (issue 13)', measureSuiteFigures],
  'fan-out': ['fan-out (issue 13)', measureFanOutFigures],
}

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const config = readBenchConfig(process.argv.slice(2), process.env, packageDir)
const startedAt = new Date().toISOString()
const started = performance.now()
const machine = machineInfo()
const results = new BenchResults()
console.log(
  `codebox bench — ${machine.cores} cores, ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${machine.node}, load ${machine.loadAverage.join(' ')}`,
)
console.log(
  `samples: ${config.samples} warm, ${config.createSamples} create/fork, ${config.coldSamples} cold, ${config.requestsPerRuntime} requests/runtime, K=${config.rssRuntimes}, soak ${config.soakRuntimes}×${config.soakCommands}`,
)
if (config.only) console.log(`sections: ${[...config.only].join(', ')} (--only)`)

const wpGraphql = await resolveWpGraphql()
if (wpGraphql.available) console.log(`WPGraphQL ${wpGraphql.plugin.version} (${wpGraphql.plugin.origin})`)
else results.note(`WPGraphQL is not resolvable, so every GraphQL figure is skipped: ${wpGraphql.reason}`)
const context: BenchContext = {
  config,
  results,
  wpGraphql,
  plugins: wpGraphql.available ? ['wp-graphql'] : [],
}

for (const [id, [name, measure]] of Object.entries(SECTIONS) as [
  BenchSectionId,
  (typeof SECTIONS)[BenchSectionId],
][]) {
  if (config.only && !config.only.has(id)) continue
  const sectionStarted = performance.now()
  console.log(`▸ ${name}`)
  try {
    await measure(context)
  } catch (error) {
    results.failure(name, error)
  }
  console.log(`  (${((performance.now() - sectionStarted) / 1000).toFixed(1)} s)`)
}

const targets = evaluateTargets(results, config.only)
console.log(`\n${renderTable(results, targets)}\n`)
const count = (status: string) => targets.filter((target) => target.status === status).length
console.log(`targets: ${count('met')} met, ${count('missed')} missed, ${count('not measured')} not measured`)
for (const target of targets.filter((entry) => entry.status === 'not measured')) {
  console.log(`  ${target.figure}: not measured (${target.reason})`)
}
if (results.notes.length > 0) console.log(`notes:\n${results.notes.map((note) => `  - ${note}`).join('\n')}`)

const versions: Record<string, string> = {
  codeboxBackendPlayground: BACKEND_VERSION,
  wordpress: WORDPRESS_VERSION,
  wasmPhp: WASM_PHP_VERSION,
  nativePhp: nativePhpVersion() ?? 'not installed',
  wpGraphql: wpGraphql.available ? (wpGraphql.plugin.version ?? wpGraphql.plugin.sha256) : 'unavailable',
}
await writeResults(
  config.outFile,
  { startedAt, durationMs: Math.round(performance.now() - started), machine, config, versions },
  results,
  targets,
)
console.log(
  `wrote ${path.relative(process.cwd(), config.outFile)} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
)
// Pooled workers and timers never hold the process, but a stray handle must not keep a finished run alive.
process.exit(results.failures > 0 ? 1 : 0)
