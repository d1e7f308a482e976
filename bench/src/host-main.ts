/**
 * `pnpm --filter @codebox/bench host`: the host figures of issue 14 on their own (also a section of `pnpm bench`).
 * GraphQL through the host for one and two tenants beside `serve()` of one runtime, tenant start from a durable
 * database, and the noisy-neighbour p99 rise; loopback only, each load run bounded (`BENCH_HOST_SECONDS`, default 8).
 * Prints the figures with their targets and writes them to `bench/results/host-latest.json` (or `--out FILE`).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { BenchResults } from './bench-results.js'
import { hostBenchConfig, measureHostFigures } from './host-figures.js'
import { machineInfo } from './machine-info.js'
import { evaluateTargets } from './targets.js'
import { resolveWpGraphql } from './wpgraphql-plugin.js'

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { out: { type: 'string' } },
})
const outFile = path.resolve(values.out ?? path.join(packageDir, 'results', 'host-latest.json'))
const config = hostBenchConfig(process.env)
const machine = machineInfo()
console.log(
  `codebox host bench — ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage.join(' ')}; ${config.seconds} s per load run`,
)
const results = new BenchResults()
const started = performance.now()
await measureHostFigures(results, await resolveWpGraphql(), config)
const hostTargets = evaluateTargets(results).filter((target) =>
  ['host-overhead', 'tenant-start-durable', 'noisy-neighbour-p99'].includes(target.figure),
)
for (const target of hostTargets) {
  const value = target.value === undefined ? '' : ` (${target.value.toFixed(1)})`
  console.log(
    `target ${target.figure} ${target.target}: ${target.status}${value}${target.reason ? ` — ${target.reason}` : ''}`,
  )
}
for (const note of results.notes) console.log(`note: ${note}`)
await mkdir(path.dirname(outFile), { recursive: true })
await writeFile(
  outFile,
  `${JSON.stringify({ machine, config, durationMs: Math.round(performance.now() - started), figures: results.figures, targets: hostTargets, notes: results.notes }, null, 2)}\n`,
)
console.log(`wrote ${path.relative(process.cwd(), outFile)}`)
process.exit(0)
