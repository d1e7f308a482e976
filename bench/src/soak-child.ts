/**
 * Child process entry of the soak: N runtimes work at once, each running M mixed commands (run-php with WordPress,
 * REST reads, option writes), in a clean process so its RSS is theirs alone. RSS is read (after GC) once every
 * runtime has run its warm-up share, and again at the end; the last stdout line is a {@link SoakReport}.
 * Arguments: N, M, then a JSON `playground()` options object. Run by `soak-figures.ts` with `--expose-gc`.
 */
import { playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { POLICY } from './bench-constants.js'
import {
  type CodeboxRequest,
  type PlaygroundRuntime,
  restRequest,
  runPhpWordPressRequest,
} from './codebox-requests.js'
import { settledRss } from './run-child.js'

/** What the soak child prints. */
export interface SoakReport {
  readonly runtimes: number
  readonly commandsPerRuntime: number
  readonly warmupPerRuntime: number
  /** RSS after the warm-up share, settled. */
  readonly warmRssBytes: number
  /** RSS after every command, settled. */
  readonly endRssBytes: number
  /**
   * The host thread's live JavaScript heap at the same two points (after its GC): what the runtimes keep on the
   * host side, mostly command and event history filling toward their byte caps. The rest of the RSS growth is in
   * the PHP worker threads and native memory.
   */
  readonly warmHostHeapBytes: number
  readonly endHostHeapBytes: number
  /** Highest RSS read between commands (not settled). */
  readonly peakRssBytes: number
  readonly failures: number
  /** The first few failures, for the note. */
  readonly failureMessages: readonly string[]
  readonly durationMs: number
}

/** One in three commands writes an option (a new value each time), so the database and history keep changing. */
const optionWrite: CodeboxRequest = async (runtime, options = {}) => {
  const value = `soak ${Math.random().toString(36).slice(2)}`
  const result = await runtime.execute({
    command: 'wordpress.option-set',
    args: { name: 'codebox_soak', value },
    ...options,
  })
  if (result.status !== 'ok') throw new Error(`option-set ended ${result.status}`)
}

const MIX: readonly CodeboxRequest[] = [runPhpWordPressRequest, restRequest, optionWrite]

/**
 * The soak's own command deadline. Eight runtimes share the machine's cores, so on a loaded 2-core machine a command
 * can wait well past the default 60 s for CPU; that would count the machine's load as a runtime failure. A command
 * that is really stuck still fails.
 */
const SOAK_COMMAND_TIMEOUT_MS = 300_000

const runtimes = Number(process.argv[2])
const commands = Number(process.argv[3])
const options = JSON.parse(process.argv[4] ?? '{}') as Parameters<typeof playground>[0]
// A tenth of the commands (at least 20) warm every cache a long-lived runtime fills once: OPcache, the JIT, pools.
const warmup = Math.min(commands - 1, Math.max(20, Math.round(commands / 10)))
const backend = playground(options)
const failures: string[] = []
let failureCount = 0
let peak = 0

async function work(runtime: PlaygroundRuntime, from: number, to: number): Promise<void> {
  for (let index = from; index < to; index++) {
    try {
      await MIX[index % MIX.length]!(runtime, { timeoutMs: SOAK_COMMAND_TIMEOUT_MS })
    } catch (error) {
      failureCount++
      if (failures.length < 5) failures.push(error instanceof Error ? error.message : String(error))
    }
    peak = Math.max(peak, process.memoryUsage.rss())
  }
}

const started = performance.now()
const live: PlaygroundRuntime[] = []
try {
  for (let index = 0; index < runtimes; index++) live.push(await createRuntime({ backend, policy: POLICY }))
  await Promise.all(live.map((runtime) => work(runtime, 0, warmup)))
  const warmRssBytes = await settledRss()
  const warmHostHeapBytes = process.memoryUsage().heapUsed
  await Promise.all(live.map((runtime) => work(runtime, warmup, commands)))
  const endRssBytes = await settledRss()
  const endHostHeapBytes = process.memoryUsage().heapUsed
  const report: SoakReport = {
    runtimes,
    commandsPerRuntime: commands,
    warmupPerRuntime: warmup,
    warmRssBytes,
    endRssBytes,
    warmHostHeapBytes,
    endHostHeapBytes,
    peakRssBytes: peak,
    failures: failureCount,
    failureMessages: failures,
    durationMs: Math.round(performance.now() - started),
  }
  console.log(JSON.stringify(report))
} finally {
  await Promise.all(live.map((runtime) => runtime.destroy()))
}
