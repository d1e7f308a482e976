// The small project .ci/pack-install.ts installs the packed tarballs into, file by file. It is written as strings
// (not as .ts files in the repository) because it must resolve the packages from its own node_modules, as a user's
// project does, never from the workspace.

/** `tsconfig.json`: strict, and the library checks on, so a broken `.d.ts` of ours fails the check. */
export const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023', 'ESNext.Disposable'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noImplicitOverride: true,
    verbatimModuleSyntax: true,
    skipLibCheck: false,
    types: ['node'],
    outDir: 'out',
    rootDir: 'src',
  },
  include: ['src'],
}

/** `src/main.ts`: every package's public entry, then create → run PHP → destroy on the real backend. */
export const CONSUMER_MAIN = `import { createRedactor, verifyBundle } from '@codebox/artifacts'
import { playground, type PlaygroundCommands } from '@codebox/backend-playground'
import { EXIT_CODES } from '@codebox/cli'
import { parsePolicy } from '@codebox/policy'
import { createRuntime, fanOut, isCodeboxError, type Runtime } from '@codebox/runtime-core'

const policy = parsePolicy({ commands: { allow: ['wordpress.*'] } })
const redactor = createRedactor()
const runtime: Runtime<PlaygroundCommands> = await createRuntime({ backend: playground(), policy })
try {
  const result = await runtime.execute({
    command: 'wordpress.run-php',
    args: { code: '<?php echo "installed: " . get_bloginfo("version") . " on PHP " . PHP_VERSION;' },
    timeoutMs: 300_000,
  })
  if (result.status !== 'ok') throw new Error(\`run-php finished \${result.status}\`)
  console.log(JSON.stringify({
    stdout: redactor.redactText(result.stdout),
    state: runtime.state,
    exports: [typeof verifyBundle, typeof fanOut, typeof isCodeboxError, EXIT_CODES.OK],
  }))
} finally {
  await runtime.destroy()
}
console.log(JSON.stringify({ state: runtime.state }))
`

/** `src/fixture.test.ts`: the vitest fixture as a plugin's test suite uses it (checked, then run by vitest). */
export const CONSUMER_FIXTURE_TEST = `import { defineWordPressFixture, type WordPressFailureReport } from '@codebox/vitest'
import { expect } from 'vitest'

const test = defineWordPressFixture({ backend: { php: '8.3' } })
const unused: WordPressFailureReport | undefined = undefined

test('runs PHP in a fork of the prepared site', async ({ wordpress, task }) => {
  const result = await wordpress.execute({
    command: 'wordpress.run-php',
    args: { code: '<?php echo PHP_VERSION;' },
    timeoutMs: 300_000,
  })
  expect(result.stdout).toMatch(/^8\\.3\\./)
  expect(task.meta.codebox).toBe(unused)
})
`

/** `vitest.config.ts` of the consumer: nothing codebox-specific, only generous timeouts for a loaded machine. */
export const CONSUMER_VITEST_CONFIG = `import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 },
})
`
