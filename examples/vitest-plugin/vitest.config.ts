import { defineConfig } from 'vitest/config'

// Runs this example on its own (`pnpm --filter @codebox/example-vitest-plugin test`); the repository's root run
// includes test/ as well. `source` resolves the workspace packages to their TypeScript, so no build is needed.
export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
})
