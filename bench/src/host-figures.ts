import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type PlaygroundCommands, playground, serve } from '@codebox/backend-playground'
import { startHost } from '@codebox/host'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { POLICY } from './bench-constants.js'
import type { BenchResults } from './bench-results.js'
import { graphqlLoad, type LoadFigures } from './host-load.js'
import type { WpGraphqlAvailability } from './wpgraphql-plugin.js'

/** Sizes of the host section; every run is bounded by `seconds`. */
export interface HostBenchConfig {
  /** Seconds of each load run. `BENCH_HOST_SECONDS`, default 8. */
  readonly seconds: number
  /** Connections of the steady load runs. Default 4. */
  readonly connections: number
  /** Connections of the flooding tenant in the noisy-neighbour run. Default 32. */
  readonly floodConnections: number
  /** Samples of tenant start from durable state. Default 3. */
  readonly startSamples: number
}

const QUERY = '{ posts(first: 5) { nodes { title } } }'

/** serve() and the host, and a tenant alone and flooded, are measured in this many alternating turns each. */
const OVERHEAD_TURNS = 2

/** Several load runs of one side as one: requests/s and p50 averaged, p99 the worst, counts summed. */
function combineRuns(runs: readonly LoadFigures[]): LoadFigures {
  const mean = (pick: (run: LoadFigures) => number) =>
    runs.reduce((sum, run) => sum + pick(run), 0) / runs.length
  return {
    requestsPerSecond: mean((run) => run.requestsPerSecond),
    p50Ms: Math.round(mean((run) => run.p50Ms)),
    p99Ms: Math.max(...runs.map((run) => run.p99Ms)),
    refused: runs.reduce((sum, run) => sum + run.refused, 0),
    ok: runs.reduce((sum, run) => sum + run.ok, 0),
  }
}

/** Fewer answered requests than this make a comparison noise: it is reported as not measured, with the reason. */
const MIN_ANSWERS = 20

function tooFew(results: BenchResults, figure: string, runs: Record<string, LoadFigures>): boolean {
  const short = Object.entries(runs).filter(([, run]) => run.ok < MIN_ANSWERS)
  if (short.length === 0) return false
  results.note(
    `${figure} not measured: too few answered requests (${short.map(([name, run]) => `${name}: ${run.ok}`).join(', ')}; need ${MIN_ANSWERS}); raise BENCH_HOST_SECONDS or run on a quieter machine`,
  )
  return true
}

/** The host section's sizes from `BENCH_HOST_SECONDS`, `BENCH_HOST_CONNECTIONS`, `BENCH_HOST_FLOOD` and `BENCH_HOST_STARTS`. */
export function hostBenchConfig(env: NodeJS.ProcessEnv): HostBenchConfig {
  const read = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`)
    }
    return value
  }
  return {
    seconds: read('BENCH_HOST_SECONDS', 8, 1, 120),
    connections: read('BENCH_HOST_CONNECTIONS', 4, 1, 64),
    floodConnections: read('BENCH_HOST_FLOOD', 32, 1, 256),
    startSamples: read('BENCH_HOST_STARTS', 3, 1, 20),
  }
}

function record(results: BenchResults, id: string, label: string, load: LoadFigures, detail: string): void {
  results.value(`${id}-rps`, `${label}: requests/s`, load.requestsPerSecond, 'req/s', {
    group: 'host',
    detail: `${detail}; p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, ${load.refused} refused`,
  })
  results.value(`${id}-p50`, `${label}: p50`, load.p50Ms, 'ms', { group: 'host' })
  results.value(`${id}-p99`, `${label}: p99`, load.p99Ms, 'ms', { group: 'host' })
}

/**
 * The host's figures (issue 14): GraphQL through the host for one and two tenants beside `serve()` of one runtime in
 * the same run (host overhead), tenant start from a durable database, and how much a flooding tenant raises another
 * tenant's p99. All load is on loopback, each run bounded by `seconds`.
 */
export async function measureHostFigures(
  results: BenchResults,
  wpGraphql: WpGraphqlAvailability,
  config: HostBenchConfig,
): Promise<void> {
  if (!wpGraphql.available) {
    results.note(`host figures skipped: WPGraphQL is not resolvable (${wpGraphql.reason})`)
    return
  }
  const plugin = wpGraphql.plugin
  const sha256 = plugin.sha256.replace(/^sha256:/, '')
  const work = await mkdtemp(path.join(tmpdir(), 'codebox-bench-host-'))
  const load = (url: string, host: string | undefined, connections = config.connections) =>
    graphqlLoad({ url, ...(host ? { host } : {}), query: QUERY, connections, seconds: config.seconds })
  try {
    // Baseline: one runtime served directly, alive beside the host so the two can be measured in turns.
    const runtime = (await createRuntime({
      backend: playground({ plugins: [{ slug: plugin.slug, version: plugin.version, sha256 }] }),
      policy: POLICY,
      cleanupOnExit: false,
    })) as Runtime<PlaygroundCommands>
    const server = await serve(runtime as unknown as Runtime)

    const tenant = (id: string) => ({
      id,
      domains: [`${id}.test`],
      plugins: [{ slug: plugin.slug, version: plugin.version }],
      limits: { maxQueued: 64 },
    })
    const manifest = {
      schema: 'codebox/tenant-manifest/v1',
      approvedPlugins: {
        schema: 'codebox/approved-plugins/v1',
        plugins: [{ slug: plugin.slug, version: plugin.version, sha256 }],
      },
      tenants: [tenant('acme'), tenant('globex')],
    }
    const dataDir = path.join(work, 'data')
    const host = await startHost({ manifest, dataDir, adminSocket: false, watchManifest: false })
    try {
      await load(server.url, undefined, 1)
      for (const id of ['acme', 'globex']) await load(host.url, `${id}.test`, 1)
      // In turns (serve(), host, serve(), host), so a drift in the machine's load hits both sides alike.
      const directRuns: LoadFigures[] = []
      const hostRuns: LoadFigures[] = []
      for (let turn = 0; turn < OVERHEAD_TURNS; turn++) {
        directRuns.push(await load(server.url, undefined))
        hostRuns.push(await load(host.url, 'acme.test'))
      }
      const direct = combineRuns(directRuns)
      const one = combineRuns(hostRuns)
      const turns = `${config.connections} connections, ${OVERHEAD_TURNS} turns of ${config.seconds} s`
      record(results, 'host-direct', 'serve() of one runtime', direct, turns)
      record(results, 'host-1-tenant', 'host, 1 tenant', one, turns)
      if (!tooFew(results, 'host-overhead', { 'serve()': direct, host: one })) {
        const overhead = ((direct.requestsPerSecond - one.requestsPerSecond) / direct.requestsPerSecond) * 100
        results.value('host-overhead', 'host overhead vs serve() (throughput)', overhead, '%', {
          group: 'host',
          detail: `p50 ${direct.p50Ms} → ${one.p50Ms} ms, p99 ${direct.p99Ms} → ${one.p99Ms} ms`,
        })
      }

      const half = Math.max(1, Math.floor(config.connections / 2))
      const [a, b] = await Promise.all([
        load(host.url, 'acme.test', half),
        load(host.url, 'globex.test', half),
      ])
      const two: LoadFigures = {
        requestsPerSecond: a.requestsPerSecond + b.requestsPerSecond,
        p50Ms: Math.max(a.p50Ms, b.p50Ms),
        p99Ms: Math.max(a.p99Ms, b.p99Ms),
        refused: a.refused + b.refused,
        ok: a.ok + b.ok,
      }
      record(
        results,
        'host-2-tenants',
        'host, 2 tenants at once',
        two,
        `${half} connections each; p50/p99: worse tenant`,
      )

      // In turns as well: globex alone, globex while acme floods, twice.
      const aloneRuns: LoadFigures[] = []
      const victimRuns: LoadFigures[] = []
      for (let turn = 0; turn < OVERHEAD_TURNS; turn++) {
        aloneRuns.push(await load(host.url, 'globex.test', 1))
        const [, flooded] = await Promise.all([
          load(host.url, 'acme.test', config.floodConnections),
          load(host.url, 'globex.test', 1),
        ])
        victimRuns.push(flooded)
      }
      const alone = combineRuns(aloneRuns)
      const victim = combineRuns(victimRuns)
      if (!tooFew(results, 'noisy-neighbour-p99', { alone, 'while flooded': victim })) {
        const rise = ((victim.p99Ms - alone.p99Ms) / alone.p99Ms) * 100
        results.value('noisy-neighbour-p99', 'noisy neighbour: p99 rise of a quiet tenant', rise, '%', {
          group: 'host',
          detail: `globex p99 ${alone.p99Ms} ms alone → ${victim.p99Ms} ms while acme takes ${config.floodConnections} connections`,
        })
      }
    } finally {
      await host.close()
      await server.close()
      await runtime.destroy()
    }

    const starts: number[] = []
    for (let sample = 0; sample < config.startSamples; sample++) {
      let readyMs: number | undefined
      const restarted = await startHost({
        manifest: { ...manifest, tenants: [tenant('acme')] },
        dataDir,
        adminSocket: false,
        watchManifest: false,
        logger: {
          info: (line: string) => {
            const match = /^tenant acme: ready in (\d+) ms$/.exec(line)
            if (match) readyMs = Number(match[1])
          },
        },
      })
      await restarted.close()
      if (readyMs !== undefined) starts.push(readyMs)
    }
    results.samples('tenant-start-durable', 'tenant start from its durable database', starts, {
      group: 'host',
      detail: 'runtime create on an existing database, WPGraphQL, templates cached',
    })
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
