/**
 * `pnpm --filter @codebox/bench queue` (or `pnpm bench:queue`): only the queue figures of issue 15, against a
 * redis-server it starts on loopback, with their targets; writes `bench/results/queue.json`.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { BenchResults } from '../bench-results.js'
import { machineInfo } from '../machine-info.js'
import { renderTable } from '../report-table.js'
import { evaluateTargets } from '../targets.js'
import { writeResults } from '../write-results.js'
import { DEFAULT_QUEUE_BENCH, measureQueue } from './queue-figures.js'

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    samples: { type: 'string' },
    jobs: { type: 'string' },
    'pool-jobs': { type: 'string' },
    out: { type: 'string' },
  },
})
const options = {
  overheadSamples: Number(values.samples ?? DEFAULT_QUEUE_BENCH.overheadSamples),
  scalingJobs: Number(values.jobs ?? DEFAULT_QUEUE_BENCH.scalingJobs),
  poolJobs: Number(values['pool-jobs'] ?? DEFAULT_QUEUE_BENCH.poolJobs),
}
const packageDir = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))))
const outFile = values.out ? path.resolve(values.out) : path.join(packageDir, 'results', 'queue.json')
const machine = machineInfo()
const startedAt = new Date().toISOString()
const started = performance.now()
console.log(
  `codebox queue bench — ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage.join(' ')}; ${JSON.stringify(options)}`,
)
const results = new BenchResults()
try {
  await measureQueue(results, options)
} catch (error) {
  results.failure('queue', error)
}
const targets = evaluateTargets(results).filter((target) => target.figure.startsWith('queue-'))
console.log(`\n${renderTable(results, targets)}\n`)
await writeResults(
  outFile,
  { startedAt, durationMs: Math.round(performance.now() - started), machine, config: options, versions: {} },
  results,
  targets,
)
console.log(
  `wrote ${path.relative(process.cwd(), outFile)} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
)
process.exit(results.failures > 0 ? 1 : 0)
