/**
 * `wordpress.phpunit` against the real Playground runtime: the codebox-mailer fixture's PHPUnit suite runs inside
 * the sandbox on PHPUnit 9, the PHPUnit Polyfills and the WordPress test library. Those three are not on npm: the
 * suite runs when they resolve (CODEBOX_PHPUNIT_PATH, WP_TESTS_PHPUNIT_POLYFILLS_PATH, WP_TESTS_DIR, or the codebox
 * cache) and is skipped with the reason otherwise.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  defaultCacheDir,
  type PhpunitValue,
  type PlaygroundCommands,
  parseJunitReport,
  phpunitToolkitMissing,
  playground,
} from '@codebox/backend-playground'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const PLUGIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'codebox-mailer')
const TARGET = '/wordpress/wp-content/plugins/codebox-mailer'
const TEST_FILE = `${TARGET}/tests/test-mailer.php`
const missing = await phpunitToolkitMissing({ cacheDir: defaultCacheDir(), wordpress: '6.5' })
const skipReason = missing ? ` (skipped: ${missing})` : ''

describe('wordpress.phpunit', () => {
  let runtime: Runtime<PlaygroundCommands>
  let out: string

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'codebox-phpunit-'))
    runtime = await createRuntime({
      backend: playground(),
      policy: {
        commands: { allow: ['wordpress.*'] },
        filesystem: { mounts: [{ path: PLUGIN, modes: ['readonly'] }] },
      },
      mounts: [{ source: PLUGIN, target: TARGET }],
    })
  }, 180_000)

  afterAll(async () => {
    await runtime?.destroy()
    if (out) await rm(out, { recursive: true, force: true })
  })

  it('names the field and the fix when the directory holds no PHPUnit configuration', async () => {
    const result = await runtime.execute({
      command: 'wordpress.phpunit',
      args: { directory: '/wordpress/wp-content/plugins/not-mounted' },
    })
    expect(result).toMatchObject({ status: 'failed', code: 'PHPUNIT_DIRECTORY_MISSING' })
    const wrong = await runtime.execute({
      command: 'wordpress.phpunit',
      args: { directory: TARGET, configuration: 'tests/missing.xml' },
    })
    expect(wrong).toMatchObject({ status: 'failed', code: 'PHPUNIT_CONFIG_MISSING' })
    expect(wrong.status === 'failed' && wrong.message).toContain('args.configuration')
  })

  it.runIf(missing)(
    `says exactly what is missing and how to provide it${skipReason ? '' : ' (skipped: the toolkit resolves here)'}`,
    async () => {
      const result = await runtime.execute({ command: 'wordpress.phpunit', args: { directory: TARGET } })
      expect(result).toMatchObject({ status: 'failed', code: 'PHPUNIT_UNAVAILABLE' })
      expect(result.status === 'failed' && result.message).toContain('WP_TESTS_DIR')
    },
  )

  it.skipIf(missing)(
    `runs the fixture's suite against the runtime's WordPress and reports each test${skipReason}`,
    async () => {
      const postsBefore = await runtime.execute({
        command: 'wordpress.run-php',
        args: { code: "<?php echo (int) wp_count_posts('post')->publish;", bootstrap: 'wordpress' },
      })
      const result = await runtime.execute({
        command: 'wordpress.phpunit',
        args: { directory: TARGET },
        timeoutMs: 180_000,
      })
      expect(result.status).toBe('failed')
      const value = (result.status === 'failed' ? result.value : undefined) as PhpunitValue
      expect(value).toMatchObject({ tests: 4, failures: 1, errors: 0, skipped: 1, phpunitExitCode: 1 })
      const failed = value.cases.find((test) => test.status === 'failed')
      expect(failed?.name).toBe('Test_Codebox_Mailer::test_a_failure_is_reported_with_its_message')
      expect(failed?.problem?.message).toContain('this test fails on purpose')
      expect(failed?.location).toEqual({ file: TEST_FILE, line: 22 })
      expect(value.cases.find((test) => test.name.endsWith('mails_the_admin'))?.status).toBe('passed')
      expect(result.status === 'failed' && result.message).toContain(`${TEST_FILE}:22`)
      // The suite's mail went to the test library's mock mailer and was captured too; nothing was sent.
      expect(runtime.mail().map((message) => message.subject)).toContain('Published: From PHPUnit')
      // The tests used their own tables: the site's posts and options are as they were.
      const postsAfter = await runtime.execute({
        command: 'wordpress.run-php',
        args: { code: "<?php echo (int) wp_count_posts('post')->publish;", bootstrap: 'wordpress' },
      })
      expect(postsAfter.stdout).toBe(postsBefore.stdout)

      const bundle = await runtime.collect({ directory: out })
      const junit = await readFile(join(bundle.path, 'logs', value.junitLog), 'utf8')
      expect(parseJunitReport(junit)).toMatchObject({ tests: 4, failures: 1, skipped: 1 })
    },
    240_000,
  )

  it.skipIf(missing)(
    `runs only the tests --filter selects${skipReason}`,
    async () => {
      const result = await runtime.execute({
        command: 'wordpress.phpunit',
        args: { directory: TARGET, filter: 'test_the_body_names_the_post' },
        timeoutMs: 180_000,
      })
      expect(result.status).toBe('ok')
      expect(result.status === 'ok' && result.value).toMatchObject({
        tests: 1,
        failures: 0,
        errors: 0,
        skipped: 0,
        phpunitExitCode: 0,
      })
    },
    240_000,
  )
})
