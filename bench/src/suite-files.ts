// The test files the suite figures run in a child vitest, written as strings into a scratch folder under
// bench/results/ (git-ignored) so that they resolve @codebox/vitest, vitest and the backend from bench/.

/** The child vitest's config: one worker, so the files run one after another and do not slow each other down. */
export const SUITE_VITEST_CONFIG = `import { defineConfig } from 'vitest/config'

export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['*.suite.ts'],
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ['json'],
  },
})
`

const RUN_PHP = `{ command: 'wordpress.run-php', args: { code: '<?php echo get_option("blogname");' }, timeoutMs: 600_000 }`

/** `tests` tests with the fixture, each running one PHP snippet in its fork. */
export function fixtureFile(tests: number): string {
  return `import { wordpressTest as test } from '@codebox/vitest'
import { expect } from 'vitest'

test.beforeAll(async ({ wordpressSite }) => {
  expect(wordpressSite.snapshot.bytes.byteLength).toBeGreaterThan(0)
})

for (let index = 0; index < ${tests}; index++) {
  test(\`fixture test \${index}\`, async ({ wordpress }) => {
    const result = await wordpress.execute(${RUN_PHP})
    expect(result.status).toBe('ok')
  })
}
`
}

/** The same tests, each creating (and destroying) a fresh runtime of its own instead. */
export function freshFile(tests: number): string {
  return `import { playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { expect, test } from 'vitest'

const policy = { commands: { allow: ['wordpress.*'] } }

for (let index = 0; index < ${tests}; index++) {
  test(\`fresh test \${index}\`, async () => {
    await using wordpress = await createRuntime({ backend: playground(), policy })
    const result = await wordpress.execute(${RUN_PHP})
    expect(result.status).toBe('ok')
  })
}
`
}

/**
 * Tests with the fixture whose body only waits until the warm pool has refilled (as a test body longer than one
 * worker boot would) and reports how long it waited: a test's duration minus that wait is the fixture's own cost
 * per test, fork and destroy, with the pool warm.
 */
export function overheadFile(tests: number): string {
  return `import { writeFileSync } from 'node:fs'
import { playgroundPool } from '@codebox/backend-playground'
import { wordpressTest as test } from '@codebox/vitest'
import { expect } from 'vitest'

const bodies: Record<string, number> = {}

test.beforeAll(async ({ wordpressSite }) => {
  expect(wordpressSite.snapshot.bytes.byteLength).toBeGreaterThan(0)
  // The first fork registers the pool's configuration; let it fill before the first timed test.
  await (await wordpressSite.fork()).destroy()
  await playgroundPool.whenFull({ timeoutMs: 600_000 })
})

test.afterAll(() => {
  writeFileSync(String(process.env.BENCH_SUITE_BODIES), JSON.stringify(bodies))
})

for (let index = 0; index < ${tests}; index++) {
  test(\`overhead test \${index}\`, async ({ wordpress, task }) => {
    const started = performance.now()
    expect(wordpress.state).toBe('ready')
    await playgroundPool.whenFull({ timeoutMs: 600_000 })
    bodies[task.name] = performance.now() - started
  })
}
`
}
