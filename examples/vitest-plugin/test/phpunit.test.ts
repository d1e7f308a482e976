/**
 * The plugin's own PHPUnit suite (`plugin/codebox-greeter/tests/`), run inside the sandbox's WordPress by the
 * `wordpress.phpunit` command on a fixture fork. PHPUnit 9, the PHPUnit Polyfills and the WordPress test library are
 * not on npm: the test runs when they resolve (CODEBOX_PHPUNIT_PATH, WP_TESTS_PHPUNIT_POLYFILLS_PATH and WP_TESTS_DIR,
 * the codebox cache, or for the polyfills and the test library a pinned download) and is skipped with the reason
 * otherwise.
 */
import { fileURLToPath } from 'node:url'
import { type PhpunitValue, phpunitToolkitMissing } from '@codebox/backend-playground'
import { defineWordPressFixture } from '@codebox/vitest'
import { expect } from 'vitest'

const greeter = fileURLToPath(new URL('../plugin/codebox-greeter', import.meta.url))
const timeoutMs = 300_000

// Why the suite cannot run here (what is missing, how to provide it), or undefined when it can.
const missing = await phpunitToolkitMissing()

const test = defineWordPressFixture({ plugins: [{ slug: 'codebox-greeter', source: greeter }] })

test.skipIf(missing)(
  `passes the plugin's PHPUnit suite inside the sandbox${missing ? ` (skipped: ${missing})` : ''}`,
  async ({ wordpress }) => {
    const result = await wordpress.execute({
      command: 'wordpress.phpunit',
      args: { directory: '/wordpress/wp-content/plugins/codebox-greeter' },
      timeoutMs,
    })
    const value = 'value' in result ? (result.value as PhpunitValue) : undefined
    expect(result.status, JSON.stringify(value?.cases.filter((test) => test.status !== 'passed'))).toBe('ok')
    expect(value).toMatchObject({ tests: 5, failures: 0, errors: 0, skipped: 0, phpunitExitCode: 0 })
    expect(value?.cases.map((test) => test.name)).toContain(
      'Test_Codebox_Greeter::test_the_rest_route_answers_with_the_greeting',
    )
  },
  timeoutMs,
)
