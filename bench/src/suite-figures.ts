import { execFile } from 'node:child_process'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchContext } from './bench-context.js'
import { fixtureFile, freshFile, overheadFile, SUITE_VITEST_CONFIG } from './suite-files.js'

const benchDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
/** Tests in the overhead file: enough for a p50, few enough to keep the section short. */
const OVERHEAD_TESTS = 20

interface JsonTest {
  readonly title: string
  readonly status: string
  readonly duration?: number
  readonly failureMessages: readonly string[]
}
interface JsonFile {
  readonly name: string
  readonly status: string
  readonly message: string
  readonly startTime: number
  readonly endTime: number
  readonly assertionResults: readonly JsonTest[]
}

/** Runs the scratch folder's test files in a child vitest (one worker, one file after another). */
function runVitest(dir: string, report: string, bodies: string): Promise<void> {
  const vitest = path.join(benchDir, 'node_modules', '.bin', 'vitest')
  return new Promise((resolve, reject) => {
    execFile(
      vitest,
      ['run', '--config', path.join(dir, 'vitest.config.ts'), '--outputFile.json', report],
      { cwd: dir, env: { ...process.env, BENCH_SUITE_BODIES: bodies }, maxBuffer: 64 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        // A failing test is reported from the JSON below; only a run that wrote nothing is an error here.
        if (error && !stderr.includes('JSON report written')) {
          readFile(report).then(
            () => resolve(),
            () => reject(new Error(`the suite run wrote no report: ${stderr.slice(-2000)}`)),
          )
        } else resolve()
      },
    )
  })
}

function fileNamed(files: readonly JsonFile[], name: string): JsonFile {
  const file = files.find((entry) => entry.name.endsWith(`/${name}`))
  if (!file) throw new Error(`the suite run reported no ${name}`)
  const failed = file.assertionResults.filter((test) => test.status !== 'passed')
  if (file.status !== 'passed' || failed.length > 0) {
    const first = failed[0]?.failureMessages[0] ?? file.message
    throw new Error(`${name}: ${failed.length} test(s) failed: ${first.split('\n')[0]}`)
  }
  return file
}

const durations = (file: JsonFile) => file.assertionResults.map((test) => test.duration ?? 0)

/**
 * Runs, in one child vitest: a file of N tests with the `@codebox/vitest` fixture, the same N tests each creating a
 * fresh runtime, and a file that isolates the fixture's own per-test cost (fork + destroy with the pool warm).
 */
export async function measureSuiteFigures({ config, results }: BenchContext): Promise<void> {
  const dir = path.join(benchDir, 'results', `suite-run-${process.pid}`)
  await mkdir(dir, { recursive: true })
  try {
    const tests = config.suiteTests
    await writeFile(path.join(dir, 'vitest.config.ts'), SUITE_VITEST_CONFIG)
    await writeFile(path.join(dir, 'a-overhead.suite.ts'), overheadFile(OVERHEAD_TESTS))
    await writeFile(path.join(dir, 'b-fixture.suite.ts'), fixtureFile(tests))
    await writeFile(path.join(dir, 'c-fresh.suite.ts'), freshFile(tests))
    const report = path.join(dir, 'report.json')
    const bodiesFile = path.join(dir, 'bodies.json')
    await runVitest(dir, report, bodiesFile)
    const files = (JSON.parse(await readFile(report, 'utf8')) as { testResults: JsonFile[] }).testResults

    const overhead = fileNamed(files, 'a-overhead.suite.ts')
    const bodies = JSON.parse(await readFile(bodiesFile, 'utf8')) as Record<string, number>
    results.samples(
      'fixture-overhead',
      'fixture per-test overhead (fork + destroy, pool warm)',
      overhead.assertionResults.map((test) => (test.duration ?? 0) - (bodies[test.title] ?? 0)),
      {
        detail: `${OVERHEAD_TESTS} tests: vitest's test duration minus the body's wait for the pool to refill`,
      },
    )

    const fixture = fileNamed(files, 'b-fixture.suite.ts')
    const fresh = fileNamed(files, 'c-fresh.suite.ts')
    results.samples('suite-fixture-test', `fixture: one test of ${tests} (one run-php)`, durations(fixture), {
      detail: 'fork + run-php + destroy, pool of 1 refilling between tests',
    })
    results.samples(
      'suite-fresh-test',
      `fresh runtime: one test of ${tests} (one run-php)`,
      durations(fresh),
      {
        detail: 'createRuntime(playground()) + run-php + destroy',
      },
    )
    const fixtureWall = fixture.endTime - fixture.startTime
    const freshWall = fresh.endTime - fresh.startTime
    results.value('suite-fixture-file', `${tests}-test file with the fixture`, fixtureWall, 'ms', {
      detail: 'first test start to last test end, site preparation (beforeAll) included',
    })
    results.value('suite-fresh-file', `${tests}-test file, fresh runtime per test`, freshWall, 'ms')
    results.value('suite-speedup', 'fixture file vs fresh-runtime file', freshWall / fixtureWall, '×')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
