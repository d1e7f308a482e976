/**
 * `pnpm --filter @codebox/bench suite`: only the test-suite and fan-out figures of issue 13 (the fixture's per-test
 * overhead, a fixture file against a fresh-runtime-per-test file, fan-out against sequential runs), without the rest
 * of `pnpm bench`. Takes the same flags; writes `bench/results/suite.json` unless `--out` says otherwise.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readBenchConfig } from './bench-config.js'
import type { BenchContext } from './bench-context.js'
import { BenchResults } from './bench-results.js'
import { measureFanOutFigures } from './fan-out-figures.js'
import { machineInfo } from './machine-info.js'
import { renderTable } from './report-table.js'
import { measureSuiteFigures } from './suite-figures.js'
import { evaluateTargets } from './targets.js'
import { writeResults } from './write-results.js'

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const argv = process.argv.slice(2)
const config = readBenchConfig(
  argv,
  { BENCH_OUT: path.join(packageDir, 'results', 'suite.json'), ...process.env },
  packageDir,
)
const machine = machineInfo()
const startedAt = new Date().toISOString()
const started = performance.now()
console.log(
  `codebox suite bench — ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage.join(' ')}; ${config.suiteTests} tests per file, ${config.fanOutVariants} variants`,
)
const results = new BenchResults()
const context: BenchContext = {
  config,
  results,
  wpGraphql: { available: false, reason: 'not used by the suite figures' },
  plugins: [],
}
for (const [name, measure] of [
  ['vitest fixture', measureSuiteFigures],
  ['fan-out', measureFanOutFigures],
] as const) {
  const sectionStarted = performance.now()
  console.log(`▸ ${name}`)
  try {
    await measure(context)
  } catch (error) {
    results.failure(name, error)
  }
  console.log(`  (${((performance.now() - sectionStarted) / 1000).toFixed(1)} s)`)
}
const targets = evaluateTargets(results).filter((target) => results.get(target.figure))
console.log(`\n${renderTable(results, targets)}\n`)
await writeResults(
  config.outFile,
  { startedAt, durationMs: Math.round(performance.now() - started), machine, config, versions: {} },
  results,
  targets,
)
console.log(`wrote ${path.relative(process.cwd(), config.outFile)}`)
process.exit(results.failures > 0 ? 1 : 0)
