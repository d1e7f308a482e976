import { recordArtifact, type TestAPI, type TestArtifactBase, test as vitestTest } from 'vitest'
import { FailureRecorder, renderFailureReport, type WordPressFailureReport } from './failure-report.js'
import { LeakCheck } from './leak-check.js'
import {
  type ResolvedFixtureOptions,
  resolveFixtureOptions,
  type WordPressFixtureOptions,
  type WordPressRuntime,
} from './wordpress-fixture-options.js'
import { prepareWordPressSite, type WordPressSite } from './wordpress-site.js'

/** The artifact a failed test carries: the report, and the same as text in its attachment. */
export interface WordPressReportArtifact extends TestArtifactBase {
  readonly type: 'codebox:wordpress-report'
  readonly report: WordPressFailureReport
}

declare module 'vitest' {
  interface TaskMeta {
    /** Set by `@codebox/vitest` on a failed test: what its WordPress runtime did. */
    codebox?: WordPressFailureReport
  }
  interface TestArtifactRegistry {
    'codebox:wordpress-report': WordPressReportArtifact
  }
}

/** The fixtures a WordPress test receives. */
export interface WordPressFixtures {
  /** A fresh fork of the file's prepared site, destroyed after the test (also when it fails or times out). */
  wordpress: WordPressRuntime
  /** The file's prepared site: its snapshot, and `fork()` for tests that need more than one runtime. */
  wordpressSite: WordPressSite
  /**
   * The per-test leak check, on for every test of this `test` (an automatic fixture with no value): a runtime
   * created during the test and still live after it fails the test. Skipped for concurrent tests, whose runtimes
   * overlap; the file's check covers them.
   */
  wordpressLeakCheck: undefined
}

/** A vitest `test` whose context has `wordpress` and `wordpressSite`. */
export type WordPressTestAPI = TestAPI<WordPressFixtures>

type TestTask = Parameters<typeof recordArtifact>[0]

async function attachReport(
  task: TestTask,
  report: WordPressFailureReport,
  options: ResolvedFixtureOptions,
): Promise<void> {
  const text = renderFailureReport(report, task.name)
  task.meta.codebox = report
  await recordArtifact(task, {
    type: 'codebox:wordpress-report',
    report,
    attachments: [{ contentType: 'text/plain', body: text, bodyEncoding: 'utf-8' }],
  })
  if (options.report.console) console.error(text)
}

/**
 * Defines a vitest `test` with a WordPress fixture, configured once. The site is prepared once per test file
 * (booted with the plugins and mounts, `setup` run, snapshotted) and every test gets `wordpress`: a fresh fork of
 * it, so writes in one test never reach another. The fork is destroyed after the test, even when it fails or times
 * out; a failed test's report carries the runtime's last commands, PHP errors and logs (redacted); a runtime that
 * outlives its test fails the test, and one that outlives the file fails the file, naming where it was created.
 *
 * @example
 * import { defineWordPressFixture } from '@codebox/vitest'
 *
 * const test = defineWordPressFixture({ plugins: [{ slug: 'my-plugin', source: './my-plugin' }] })
 *
 * test('activates', async ({ wordpress }) => {
 *   const result = await wordpress.execute({ command: 'wordpress.plugin-list', throwOnFailure: true })
 *   expect(result.status === 'ok' && result.value).toContainEqual(
 *     expect.objectContaining({ file: 'my-plugin/my-plugin.php', active: true }),
 *   )
 * })
 *
 * @throws WordPressFixtureError (`VITEST_FIXTURE_OPTIONS_INVALID`) naming every bad field and its fix, when the
 *   test file is collected.
 */
export function defineWordPressFixture(options: WordPressFixtureOptions = {}): WordPressTestAPI {
  const resolved = resolveFixtureOptions(options)
  return vitestTest.extend<WordPressFixtures>({
    wordpressSite: [
      // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
      async ({}, use) => {
        const fileCheck = resolved.leakCheck ? new LeakCheck() : undefined
        const site = await prepareWordPressSite(resolved)
        await use(site)
        await fileCheck?.settle('its test file')
      },
      { scope: 'file' },
    ],
    wordpressLeakCheck: [
      async ({ task, onTestFinished }, use) => {
        // Concurrent tests of a file overlap, so only the file's check can tell whose runtime outlived whom.
        if (resolved.leakCheck && !task.concurrent) {
          const check = new LeakCheck()
          // Runs after every fixture is torn down (the test's own fork is gone by then), and an error thrown here
          // fails the test once; one thrown by a fixture's teardown would be reported twice.
          onTestFinished(() => check.settle('its test'))
        }
        await use(undefined)
      },
      { auto: true },
    ],
    wordpress: async ({ wordpressSite, task, signal }, use) => {
      const runtime = await wordpressSite.fork({ signal })
      const recorder = new FailureRecorder(runtime, resolved.report)
      try {
        await use(runtime)
      } finally {
        recorder.stop()
        // The test has ended here (passed, failed or timed out); vitest no longer accepts annotations, but meta
        // and artifacts still reach the report.
        const report = task.result?.state === 'fail' ? recorder.report() : undefined
        await runtime.destroy()
        if (report) await attachReport(task, report, resolved)
      }
    },
  })
}
