// Chaos run of the recipe queue, all on loopback: a real redis-server, N worker processes (default 8) on a
// filesystem store, ≥ 200 small recipe jobs, and a loop that kills a random worker with SIGKILL and restarts it until
// every job has finished or the hard deadline passes. Prints how many jobs were lost and how many bundles duplicated
// (or differ from what their result references), plus per-job time and worker memory for sizing. Not part of the
// test suite. Run from the package:
//
//   npx tsx --conditions=source scripts/chaos.ts [--jobs 200] [--workers 8] [--deadline-ms 4200000]
//     [--kill-min-ms 8000] [--kill-max-ms 20000]
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createRecipeQueue, openArtifactStore, type QueueJobResult } from '../src/index.js'
import { smallRecipe } from '../test/support/recipes.js'
import { startRedisServer } from '../test/support/redis-server.js'
import { startWorkerProcess, type WorkerProcess } from '../test/support/worker-process.js'

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '200' },
    workers: { type: 'string', default: '8' },
    'deadline-ms': { type: 'string', default: '4200000' },
    'kill-min-ms': { type: 'string', default: '8000' },
    'kill-max-ms': { type: 'string', default: '20000' },
  },
})
const JOBS = Number(values.jobs)
const WORKERS = Number(values.workers)
const started = Date.now()
const deadline = started + Number(values['deadline-ms'])
// Whatever happens, the script ends: a minute past the deadline it exits on its own.
setTimeout(
  () => {
    console.error('chaos: hard deadline passed; exiting')
    process.exit(2)
  },
  deadline - started + 300_000,
).unref()

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const between = (min: number, max: number) => min + Math.random() * (max - min)
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0
function rssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024)
  } catch {
    return 0
  }
}

const redis = await startRedisServer()
const slots: WorkerProcess[] = []
// Never leave a worker or the redis-server behind, however the script ends.
process.on('exit', () => {
  for (const slot of slots) slot.child.kill('SIGKILL')
  void redis.stop()
})
const scratch = await mkdtemp(join(tmpdir(), 'codebox-chaos-'))
const bundles = join(scratch, 'bundles')
const name = 'chaos'
const workerOptions = {
  connection: redis.url,
  name,
  artifacts: pathToFileURL(bundles).href,
  pool: { size: 1 },
  // Short enough that a killed worker's job moves on within seconds, long enough for a loaded machine to renew it.
  lockDurationMs: 10_000,
  stalledIntervalMs: 3_000,
  // A job may be hit by more than one kill in a run this dense.
  maxStalledCount: 5,
}
const queue = await createRecipeQueue({ connection: redis.url, name, attempts: 5, backoffMs: 500 })
slots.push(...(await Promise.all(Array.from({ length: WORKERS }, () => startWorkerProcess(workerOptions)))))
console.log(
  `chaos: ${WORKERS} workers up after ${((Date.now() - started) / 1000).toFixed(1)} s; enqueueing ${JOBS} jobs`,
)

const ids = Array.from({ length: JOBS }, (_, index) => `chaos-${String(index + 1).padStart(4, '0')}`)
const finished = new Set<string>()
const watcher = (async () => {
  for await (const event of queue.events()) {
    if (event.type === 'job.completed' || event.type === 'job.failed') finished.add(event.jobId)
    if (finished.size >= JOBS) return
  }
})()
for (const jobId of ids) await queue.enqueue(smallRecipe(`chaos-${jobId}`), { jobId })

let kills = 0
let killsMidJob = 0
let maxRssMb = 0
while (finished.size < JOBS && Date.now() < deadline) {
  await sleep(between(Number(values['kill-min-ms']), Number(values['kill-max-ms'])))
  for (const slot of slots) maxRssMb = Math.max(maxRssMb, rssMb(slot.child.pid))
  if (finished.size >= JOBS) break
  const index = Math.floor(Math.random() * slots.length)
  const victim = slots[index] as WorkerProcess
  const startedJobs = victim.lines.filter((line) => line.type === 'job.started').length
  const endedJobs = victim.lines.filter(
    (line) => line.type !== 'job.started' && String(line.type).startsWith('job.'),
  ).length
  if (startedJobs > endedJobs) killsMidJob++
  victim.child.kill('SIGKILL')
  await victim.exited
  kills++
  await sleep(between(300, 1500))
  if (Date.now() >= deadline) break
  slots[index] = await startWorkerProcess(workerOptions)
  process.stdout.write(`chaos: ${finished.size}/${JOBS} finished, ${kills} kills (${killsMidJob} mid-job)\r`)
}
console.log('')
// Let the last restarted workers finish what they hold, then stop every worker (at the deadline, at once).
while (finished.size < JOBS && Date.now() < deadline) await sleep(1000)
for (const slot of slots) slot.child.kill(Date.now() < deadline ? 'SIGTERM' : 'SIGKILL')
await Promise.race([Promise.all(slots.map((slot) => slot.exited)), sleep(30_000)])
for (const slot of slots) slot.child.kill('SIGKILL')

const results: QueueJobResult[] = []
let failed = 0
let unfinished = 0
for (const jobId of ids) {
  const state = await queue.getJob(jobId)
  if (state.state === 'completed') results.push(state.result)
  else if (state.state === 'failed') failed++
  else unfinished++
}
const keys = await (await openArtifactStore(pathToFileURL(bundles).href)).list()
let duplicated = keys.length - new Set(keys).size
let mismatched = 0
let withoutBundle = 0
for (const result of results) {
  if (!result.bundle) {
    withoutBundle++
    continue
  }
  const bytes = await readFile(fileURLToPath(result.bundle.url)).catch(() => undefined)
  if (!bytes || createHash('sha256').update(bytes).digest('hex') !== result.bundle.sha256) mismatched++
}
const extraKeys = keys.filter((key) => !ids.includes(key.replace(/\.tar\.gz$/, ''))).length
duplicated += extraKeys
const notOk = results.filter((result) => result.status !== 'ok').length
// Why results were not ok (a recipe that fails under load is a recipe outcome, not a queue fault, but it is shown).
const reasons = new Map<string, number>()
for (const result of results.filter((entry) => entry.status !== 'ok')) {
  const key = `${result.status}: ${result.error?.code ?? '-'} ${result.error?.message.split('\n')[0]?.slice(0, 120) ?? ''}`
  reasons.set(key, (reasons.get(key) ?? 0) + 1)
}
const ranAgain = results.filter((result) => result.attempt > 1).length
const perJob = results.map((result) => result.timings['queue.totalMs'] ?? 0).sort((a, b) => a - b)
// Lost: a job BullMQ gave up on, or one that completed without its bundle. A job still waiting or running when the
// deadline stopped the run is still in Redis (any worker would finish it): reported apart, and it fails the run.
const lost = failed + withoutBundle
const wallS = (Date.now() - started) / 1000

console.log(
  `chaos: ${JOBS} jobs, ${WORKERS} worker processes, ${kills} kill -9 (${killsMidJob} while a job ran)`,
)
console.log(
  `  completed ${results.length} (${notOk} not ok), failed ${failed}, still queued or running at the deadline ${unfinished}`,
)
console.log(
  `  lost: ${lost}   duplicated bundles: ${duplicated}   bundles differing from their result: ${mismatched}`,
)
console.log(`  bundles in the store: ${keys.length}; jobs that ran more than once: ${ranAgain}`)
for (const [reason, count] of reasons) console.log(`  not ok ×${count}: ${reason}`)
console.log(
  `  per job (started → result): p50 ${(percentile(perJob, 0.5) / 1000).toFixed(1)} s, p95 ${(percentile(perJob, 0.95) / 1000).toFixed(1)} s; worker RSS max ${maxRssMb} MB`,
)
console.log(`  wall time ${wallS.toFixed(0)} s`)

await queue.close()
await watcher.catch(() => {})
await redis.stop()
await rm(scratch, { recursive: true, force: true })
process.exit(lost === 0 && duplicated === 0 && mismatched === 0 && notOk === 0 && unfinished === 0 ? 0 : 1)
