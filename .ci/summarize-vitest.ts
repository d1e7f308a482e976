// Prints "N passed, N failed, N skipped" from vitest's JSON report and exits non-zero on any failure.
// Steps that failed outside vitest (lint, types, build) count as failures too, so CI can never look green
// while one of them is red.
import { existsSync, readFileSync } from 'node:fs'

const [reportPath, failedSteps = ''] = process.argv.slice(2)
const extraFailures = failedSteps.split(' ').filter(Boolean)
for (const step of extraFailures) console.log(`step failed: ${step}`)

if (!reportPath || !existsSync(reportPath)) {
  console.log('vitest wrote no report: the test run crashed before finishing')
  console.log(`0 passed, ${1 + extraFailures.length} failed`)
  process.exit(1)
}
/** The part of vitest's JSON reporter output (Jest-compatible) that the summary reads. */
interface VitestJsonReport {
  readonly success?: boolean
  readonly numTotalTests?: number
  readonly numPassedTests?: number
  readonly numFailedTests?: number
  readonly numPendingTests?: number
  readonly numTodoTests?: number
  readonly testResults?: readonly {
    readonly status?: string
    readonly assertionResults?: readonly { readonly status?: string; readonly fullName?: string }[]
  }[]
}

const report = JSON.parse(readFileSync(reportPath, 'utf8')) as VitestJsonReport
const passed = report.numPassedTests ?? 0
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
// Suites that failed to load have no tests but are failures.
const brokenFiles = (report.testResults ?? []).filter(
  (file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0,
).length
const failed = (report.numFailedTests ?? 0) + brokenFiles + extraFailures.length
if (report.numTotalTests === 0) {
  console.log('vitest ran no test')
  console.log(`0 passed, ${failed + 1} failed`)
  process.exit(1)
}
for (const file of report.testResults ?? []) {
  for (const test of file.assertionResults ?? []) {
    if (test.status === 'failed') console.log(`FAILED ${test.fullName}`)
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || report.success === false ? 1 : 0)
