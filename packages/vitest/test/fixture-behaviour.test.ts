/**
 * The fixture seen from outside, as a user's CI sees it: a child vitest runs `test/inner/` — tests that pass, fail,
 * time out and leak on purpose, in two files on two parallel workers — once with `--pool forks` and once with
 * `--pool threads`; this file reads its JSON report, its artifacts and its output. Real WordPress throughout.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const innerDir = join(packageDir, 'test', 'inner')
const vitestBin = join(packageDir, 'node_modules', '.bin', 'vitest')
const work = await mkdtemp(join(tmpdir(), 'codebox-vitest-fixture-'))
// Shaped like a live API key, so both the declared-secret and the credential-shape redaction would catch it.
const SECRET = `sk_live_${randomBytes(12).toString('hex')}`

interface AssertionResult {
  readonly title: string
  readonly status: string
  readonly failureMessages: readonly string[]
  readonly meta: { readonly codebox?: Record<string, unknown> & { commands: { stdout: string }[] } }
}
interface FileResult {
  readonly name: string
  readonly status: string
  readonly message: string
  readonly assertionResults: readonly AssertionResult[]
}
interface InnerRun {
  readonly exitCode: number
  readonly output: string
  readonly files: Record<string, FileResult>
  readonly artifacts: { test: string; artifact: { type: string; report?: { runtimeId: string } } }[]
  readonly raw: string
}

/** Runs the inner suite in a child vitest with `pool`, and reads back what it reported. */
async function runInner(pool: 'forks' | 'threads'): Promise<InnerRun> {
  const report = join(work, `${pool}.json`)
  const artifactsFile = join(work, `${pool}-artifacts.json`)
  const { exitCode, output } = await new Promise<{ exitCode: number; output: string }>((resolve) => {
    execFile(
      vitestBin,
      ['run', '--config', join(innerDir, 'vitest.config.ts'), '--pool', pool, '--outputFile.json', report],
      {
        cwd: packageDir,
        env: {
          ...process.env,
          CODEBOX_INNER_SECRET: SECRET,
          CODEBOX_INNER_ARTIFACTS: artifactsFile,
          CI: 'true',
        },
        timeout: 540_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code
        resolve({
          exitCode: typeof code === 'number' ? code : error ? -1 : 0,
          output: `${stdout}\n${stderr}`,
        })
      },
    )
  })
  const raw = await readFile(report, 'utf8')
  const parsed = JSON.parse(raw) as { testResults: FileResult[] }
  const files = Object.fromEntries(parsed.testResults.map((file) => [file.name.split('/').at(-1), file]))
  const artifacts = JSON.parse(await readFile(artifactsFile, 'utf8')) as InnerRun['artifacts']
  return { exitCode, output, files, artifacts, raw }
}

/** `file:line` of the first line of an inner test file holding `text`, as a stack names it. */
async function lineOf(file: string, text: string): Promise<string> {
  const lines = (await readFile(join(innerDir, file), 'utf8')).split('\n')
  return `${file}:${lines.findIndex((line) => line.includes(text)) + 1}:`
}

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe.concurrent('@codebox/vitest in a child vitest run', () => {
  for (const pool of ['forks', 'threads'] as const) {
    it(`reports, isolates and checks for leaks with --pool ${pool} and two parallel workers`, async () => {
      const run = await runInner(pool)
      expect(run.exitCode).toBe(1)

      const isolation = run.files['isolation.inner.ts']
      const byTitle = Object.fromEntries(isolation?.assertionResults.map((test) => [test.title, test]) ?? [])
      const statuses = Object.fromEntries(
        Object.entries(byTitle).map(([title, test]) => [title, test.status]),
      )
      expect(statuses, `the child run printed:\n${run.output.slice(-6000)}`).toEqual({
        'writes an option': 'passed',
        'does not see the previous test write': 'passed',
        'fails after a PHP warning and a command that printed the secret': 'failed',
        'times out while PHP runs': 'failed',
        'leaks a runtime': 'failed',
        'starts with only its own runtime live after a timeout and a leak': 'passed',
      })

      // A failed test carries what its runtime did: the command, its (redacted) output and the PHP warning.
      const failed = byTitle['fails after a PHP warning and a command that printed the secret']?.meta.codebox
      expect(failed).toMatchObject({
        runtimeId: expect.stringMatching(/^rt_/),
        commands: [{ command: 'wordpress.run-php', status: 'ok', stdout: 'token=[REDACTED:CRM_TOKEN]' }],
        phpErrors: [{ level: 'warn', source: 'php', message: 'codebox inner warning' }],
      })
      expect(run.output).toContain('codebox: what WordPress runtime')
      expect(run.output).toContain('[warn] codebox inner warning')
      const artifact = run.artifacts.find(
        (entry) => entry.test === 'fails after a PHP warning and a command that printed the secret',
      )
      expect(artifact?.artifact.type).toBe('codebox:wordpress-report')
      expect(artifact?.artifact.report?.runtimeId).toBe(failed?.runtimeId)

      // A timed-out test's report shows the command that was still running; the next test finds it destroyed.
      const timedOut = byTitle['times out while PHP runs']
      expect(timedOut?.meta.codebox?.running).toEqual([
        expect.objectContaining({
          command: 'wordpress.run-php',
          args: expect.stringContaining('while (true)'),
        }),
      ])
      expect(run.output).toContain('Test timed out in 5000ms')

      // A runtime left by a test fails that test, once, naming the line that created it.
      const leaked = byTitle['leaks a runtime']
      expect(leaked?.failureMessages).toHaveLength(1)
      expect(leaked?.failureMessages[0]).toContain('WordPressFixtureError')
      expect(leaked?.failureMessages[0]).toContain('A runtime outlived its test and was destroyed')
      expect(leaked?.failureMessages[0]).toContain(
        await lineOf('isolation.inner.ts', 'await wordpressSite.fork()'),
      )

      // A runtime left by a hook outlives the file: the file fails, naming where it was made; its test passed.
      const fileLeak = run.files['file-leak.inner.ts']
      expect(fileLeak?.status).toBe('failed')
      expect(fileLeak?.assertionResults.map((test) => test.status)).toEqual(['passed'])
      expect(fileLeak?.message).toContain('A runtime outlived its test file')
      expect(run.output).toContain(await lineOf('file-leak.inner.ts', 'kept = await wordpressSite.fork()'))

      for (const text of [run.raw, run.output, JSON.stringify(run.artifacts)])
        expect(text).not.toContain(SECRET)
    }, 600_000)
  }
})
