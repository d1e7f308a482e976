import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parseJunitReport } from './parse-junit.js'

// Written by PHPUnit 9.6.7 running test/fixtures/codebox-mailer's suite inside a codebox runtime (WordPress 6.5,
// PHP 8.3, the WordPress 6.5.5 test library): two passes, one failure and one skip.
const REAL_REPORT = new URL('./fixtures/phpunit-9.6-wordpress-6.5.junit.xml', import.meta.url)
const TEST_FILE = '/wordpress/wp-content/plugins/codebox-mailer/tests/test-mailer.php'

describe('parseJunitReport', () => {
  it('reads the totals and every case of a real PHPUnit report', async () => {
    const report = parseJunitReport(await readFile(REAL_REPORT, 'utf8'))
    expect(report).toMatchObject({ tests: 4, assertions: 4, failures: 1, errors: 0, skipped: 1 })
    expect(report.cases.map((test) => [test.name, test.status])).toEqual([
      ['Test_Codebox_Mailer::test_publishing_a_post_mails_the_admin', 'passed'],
      ['Test_Codebox_Mailer::test_the_body_names_the_post', 'passed'],
      ['Test_Codebox_Mailer::test_a_failure_is_reported_with_its_message', 'failed'],
      ['Test_Codebox_Mailer::test_a_skip_is_reported', 'skipped'],
    ])
    expect(report.cases[0]).toMatchObject({ file: TEST_FILE, line: 8 })
  })

  it("gives a failure PHPUnit's message and the line in the test file where it happened", async () => {
    const report = parseJunitReport(await readFile(REAL_REPORT, 'utf8'))
    const failed = report.cases.find((test) => test.status === 'failed')
    expect(failed?.problem?.type).toBe('PHPUnit\\Framework\\ExpectationFailedException')
    expect(failed?.problem?.message).toContain('codebox fixture: this test fails on purpose')
    expect(failed?.location).toEqual({ file: TEST_FILE, line: 22 })
  })

  it('reports errors separately from failures, in nested suites of data sets', () => {
    const report = parseJunitReport(`<?xml version="1.0"?>
<testsuites><testsuite name="all" tests="2" assertions="1" time="0.5">
  <testsuite name="T::test_data" tests="2">
    <testcase name="test_data with data set #0" class="T" file="/p/t.php" line="3" time="0.1"/>
    <testcase name="test_data with data set #1" class="T" file="/p/t.php" line="3" time="0.2">
      <error type="TypeError">T::test_data with data set #1
TypeError: bad

/p/src/lib.php:9
/p/t.php:5</error>
    </testcase>
  </testsuite>
</testsuite></testsuites>`)
    expect(report).toMatchObject({ tests: 2, errors: 1, failures: 0, timeMs: 500 })
    expect(report.cases[1]).toMatchObject({
      status: 'error',
      problem: { type: 'TypeError' },
      location: { file: '/p/t.php', line: 5 },
    })
  })

  it('refuses something that is not a JUnit report with a typed code', () => {
    expect(() => parseJunitReport('<html><body>Fatal error</body></html>')).toThrow(
      expect.objectContaining({ code: 'PHPUNIT_REPORT_INVALID' }),
    )
    expect(() => parseJunitReport('PHP Fatal error: oops')).toThrow(
      expect.objectContaining({ code: 'PHPUNIT_REPORT_INVALID' }),
    )
  })
})
