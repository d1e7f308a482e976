import { defineConfig } from 'vitest/config'

// The suite fixture-behaviour.test.ts runs in a child vitest, once per pool: tests that fail, time out and leak on
// purpose, so the fixture's reports and checks can be seen from outside. Not part of the root run.
export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['*.inner.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    maxWorkers: 2,
    reporters: ['default', 'json', './artifact-reporter.ts'],
  },
})
