import path from 'node:path'
import { parseArgs } from 'node:util'

/** Sample counts and output of one harness run; every count can be set by a flag or an environment variable. */
export interface BenchConfig {
  /** Timed samples per warm request figure (REST, GraphQL, run-php). `--samples`, `BENCH_SAMPLES`. Default 12. */
  readonly samples: number
  /** Untimed requests before warm request figures. `--warmup`, `BENCH_WARMUP`. Default 2. */
  readonly warmup: number
  /** Samples of warm create, create → first GraphQL, fork and snapshot. `--create-samples`, `BENCH_CREATE_SAMPLES`. Default 6. */
  readonly createSamples: number
  /** Samples of cold create and of the raw Playground boot. `--cold-samples`, `BENCH_COLD_SAMPLES`. Default 2. */
  readonly coldSamples: number
  /** Requests per runtime in the throughput figures. `--requests`, `BENCH_REQUESTS`. Default 8. */
  readonly requestsPerRuntime: number
  /** Idle runtimes created by the RSS child process. `--rss-runtimes`, `BENCH_RSS_RUNTIMES`. Default 4. */
  readonly rssRuntimes: number
  /** Runtimes working at once in the soak. `--soak-runtimes`, `BENCH_SOAK_RUNTIMES`. Default 8. */
  readonly soakRuntimes: number
  /** Mixed commands each soak runtime runs. `--soak-commands`, `BENCH_SOAK_COMMANDS`. Default 500. */
  readonly soakCommands: number
  /**
   * The sections to run, in the harness's order; every one when unset. `--only a,b`, `BENCH_ONLY`. A figure whose
   * baseline section is left out is printed without that ratio, and its target says `not measured` only when the
   * figure itself is missing.
   */
  readonly only: ReadonlySet<BenchSectionId> | undefined
  /** Where the JSON goes. `--out`, `BENCH_OUT`. Default `bench/results/latest.json`. */
  readonly outFile: string
  /** Tests in each file of the suite figures (fixture vs fresh runtime). `--suite-tests`, `BENCH_SUITE_TESTS`. Default 50. */
  readonly suiteTests: number
  /** Variants of the fan-out figure. `--fan-out-variants`, `BENCH_FAN_OUT_VARIANTS`. Default 8. */
  readonly fanOutVariants: number
}

/** The sections of a run, in the order they run; `--only` takes a comma-separated subset. */
export const BENCH_SECTION_IDS = [
  'cold-create',
  'warm-create',
  'first-answer',
  'fork',
  'requests',
  'requests-alternate',
  'throughput',
  'host',
  'rss',
  'soak',
  'raw',
  'native',
  'queue',
  'suite',
  'fan-out',
] as const

/** One section of a run. */
export type BenchSectionId = (typeof BENCH_SECTION_IDS)[number]

const USAGE = `Usage: pnpm bench [-- options]
  --samples N         warm request samples per figure (BENCH_SAMPLES, default 12)
  --warmup N          untimed requests before warm figures (BENCH_WARMUP, default 2)
  --create-samples N  create / fork / snapshot samples (BENCH_CREATE_SAMPLES, default 6)
  --cold-samples N    cold create and raw boot samples (BENCH_COLD_SAMPLES, default 2)
  --requests N        requests per runtime for throughput (BENCH_REQUESTS, default 8)
  --rss-runtimes K    idle runtimes in the RSS child (BENCH_RSS_RUNTIMES, default 4)
  --soak-runtimes N   runtimes working at once in the soak (BENCH_SOAK_RUNTIMES, default 8)
  --soak-commands N   mixed commands per soak runtime (BENCH_SOAK_COMMANDS, default 500)
  --only A,B          run only these sections (BENCH_ONLY), of:
                      ${BENCH_SECTION_IDS.join(', ')}
  --out FILE          JSON output (BENCH_OUT, default bench/results/latest.json)
  --suite-tests N     tests per file in the vitest suite figures (BENCH_SUITE_TESTS, default 50)
  --fan-out-variants N  variants of the fan-out figure (BENCH_FAN_OUT_VARIANTS, default 8)`

function sections(raw: string | undefined): ReadonlySet<BenchSectionId> | undefined {
  if (raw === undefined || raw.trim() === '') return undefined
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
  const unknown = names.filter((name) => !(BENCH_SECTION_IDS as readonly string[]).includes(name))
  if (unknown.length > 0) {
    throw new Error(
      `--only: unknown section ${unknown.map((name) => JSON.stringify(name)).join(', ')}\n${USAGE}`,
    )
  }
  return new Set(names as BenchSectionId[])
}

function count(
  name: string,
  flag: string | undefined,
  env: string | undefined,
  fallback: number,
  min: number,
) {
  const raw = flag ?? env
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}\n${USAGE}`)
  }
  return value
}

/**
 * Reads the configuration from command-line flags, then `BENCH_*` environment variables, then defaults.
 * `packageDir` is the bench package directory; the default output path is relative to it.
 */
export function readBenchConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  packageDir: string,
): BenchConfig {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      samples: { type: 'string' },
      warmup: { type: 'string' },
      'create-samples': { type: 'string' },
      'cold-samples': { type: 'string' },
      requests: { type: 'string' },
      'rss-runtimes': { type: 'string' },
      'soak-runtimes': { type: 'string' },
      'soak-commands': { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      'suite-tests': { type: 'string' },
      'fan-out-variants': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const out = values.out ?? env.BENCH_OUT
  return {
    samples: count('--samples', values.samples, env.BENCH_SAMPLES, 12, 1),
    warmup: count('--warmup', values.warmup, env.BENCH_WARMUP, 2, 0),
    createSamples: count('--create-samples', values['create-samples'], env.BENCH_CREATE_SAMPLES, 6, 1),
    coldSamples: count('--cold-samples', values['cold-samples'], env.BENCH_COLD_SAMPLES, 2, 0),
    requestsPerRuntime: count('--requests', values.requests, env.BENCH_REQUESTS, 8, 1),
    rssRuntimes: count('--rss-runtimes', values['rss-runtimes'], env.BENCH_RSS_RUNTIMES, 4, 1),
    soakRuntimes: count('--soak-runtimes', values['soak-runtimes'], env.BENCH_SOAK_RUNTIMES, 8, 1),
    soakCommands: count('--soak-commands', values['soak-commands'], env.BENCH_SOAK_COMMANDS, 500, 10),
    only: sections(values.only ?? env.BENCH_ONLY),
    outFile: out ? path.resolve(out) : path.join(packageDir, 'results', 'latest.json'),
    suiteTests: count('--suite-tests', values['suite-tests'], env.BENCH_SUITE_TESTS, 50, 1),
    fanOutVariants: count('--fan-out-variants', values['fan-out-variants'], env.BENCH_FAN_OUT_VARIANTS, 8, 1),
  }
}
