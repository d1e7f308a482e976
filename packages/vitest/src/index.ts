export type {
  WordPressFixtures,
  WordPressReportArtifact,
  WordPressTestAPI,
} from './define-wordpress-fixture.js'
export { defineWordPressFixture } from './define-wordpress-fixture.js'
export type { ReportedCommand, ReportedLogLine, WordPressFailureReport } from './failure-report.js'
export { renderFailureReport } from './failure-report.js'
export type { FixtureOptionIssue, WordPressFixtureErrorCode } from './wordpress-fixture-error.js'
export { WordPressFixtureError } from './wordpress-fixture-error.js'
export type {
  FailureReportOptions,
  WordPressFixtureOptions,
  WordPressRuntime,
} from './wordpress-fixture-options.js'
export type { ForkOptions, WordPressSite } from './wordpress-site.js'
export { wordpressTest } from './wordpress-test.js'
