/**
 * A current WordPress resolved by version, like a plugin: seeded into a test-private cache with `cacheAdd` from a
 * real WordPress 6.9, then booted with `playground({ wordpress: '6.9' })` on SQLite. The 6.9 comes from
 * `CODEBOX_WP69_DIR` (a directory holding WordPress 6.9, e.g. /work/resources/wp69), else from the shared codebox
 * cache (`codebox cache add <wordpress-6.9 zip or directory>` puts it there); without either these tests skip.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createResourceResolver, playground, type ResolvedPlugin } from '@codebox/backend-playground'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const WP69: string =
  process.env.CODEBOX_WP69_DIR ||
  (await createResourceResolver({ download: false })
    .resolveWordPress('6.9')
    .then(
      (release) => release.path,
      () => '',
    ))
const policy = { commands: { allow: ['wordpress.*'] } } as const

/** WPGraphQL from the shared codebox cache, when it is there (the test-private cache cannot download it). */
const wpGraphql: ResolvedPlugin | undefined = await createResourceResolver({ download: false })
  .resolvePlugin('wp-graphql')
  .catch(() => undefined)

let cacheDir: string
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'codebox-wp-current-'))
})
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true })
})

it('an uncached release offline is one RESOURCE_UNAVAILABLE saying how to provide it', async () => {
  const error = await createRuntime({
    backend: playground({ wordpress: '6.8', cacheDir, download: false }),
    policy,
    cleanupOnExit: false,
  }).then(
    () => undefined,
    (caught: unknown) => caught as { code?: string; message: string },
  )
  expect(error?.code).toBe('RESOURCE_UNAVAILABLE')
  expect(error?.message).toContain('wordpress:6.8')
  expect(error?.message).toContain('codebox cache add /path/to/wordpress-6.8.zip')
})

describe.skipIf(WP69 === '')(
  `WordPress 6.9 by version from the cache${WP69 === '' ? ' (skipped: set CODEBOX_WP69_DIR to a WordPress 6.9 directory, or `codebox cache add` one)' : ''}`,
  () => {
    let runtime: Runtime
    let graphql: Runtime | undefined

    beforeAll(async () => {
      const added = await createResourceResolver({ cacheDir, download: false }).cacheAdd(WP69)
      expect(added).toMatchObject({ kind: 'wordpress', version: '6.9' })
      runtime = (await createRuntime({
        backend: playground({ wordpress: '6.9', cacheDir, download: false }),
        policy,
        cleanupOnExit: false,
      })) as unknown as Runtime
    }, 600_000)

    afterAll(async () => {
      await runtime?.destroy()
      await graphql?.destroy()
    })

    it('boots 6.9 on SQLite and answers run-php', async () => {
      const result = await runtime.execute({
        command: 'wordpress.run-php',
        args: { code: "<?php echo get_bloginfo('version'), ' ', get_class($GLOBALS['wpdb']);" },
      })
      expect(result.status).toBe('ok')
      expect(result.stdout).toMatch(/^6\.9 WP_SQLite_DB/)
    })

    it('writes through the SQLite integration and reads it back in a later command', async () => {
      const written = await runtime.execute({
        command: 'wordpress.run-php',
        args: {
          code: "<?php echo wp_insert_post(['post_title' => 'On 6.9', 'post_status' => 'publish', 'post_content' => 'sqlite']);",
        },
      })
      const id = Number(written.stdout)
      expect(id).toBeGreaterThan(0)
      const read = await runtime.execute({
        command: 'wordpress.run-php',
        args: {
          code: `<?php global $wpdb; echo $wpdb->get_var($wpdb->prepare("SELECT post_title FROM {$wpdb->posts} WHERE ID = %d", ${id}));`,
        },
      })
      expect(read.stdout).toBe('On 6.9')
    })

    it('records the exact release and where it came from in provenance', () => {
      const core = runtime.provenance.components.find((component) => component.kind === 'wordpress')
      expect(core).toMatchObject({ version: '6.9', source: expect.stringMatching(/^cache:/) })
    })

    it('takes the cached 6.9 for "latest", the newest bundled or cached release', async () => {
      await using latest = await createRuntime({
        backend: playground({ wordpress: 'latest', cacheDir, download: false }),
        policy,
        cleanupOnExit: false,
      })
      const core = latest.provenance.components.find((component) => component.kind === 'wordpress')
      expect(core?.version).toBe('6.9')
    }, 300_000)

    it.skipIf(wpGraphql === undefined)(
      `serves WPGraphQL on 6.9${wpGraphql === undefined ? ' (skipped: WPGraphQL not in the codebox cache)' : ''}`,
      async () => {
        graphql = (await createRuntime({
          backend: playground({
            wordpress: '6.9',
            cacheDir,
            download: false,
            plugins: [{ slug: 'wp-graphql', source: wpGraphql?.path ?? '' }],
          }),
          policy,
          cleanupOnExit: false,
        })) as unknown as Runtime
        const result = await graphql.execute({
          command: 'wordpress.graphql',
          args: { query: '{ generalSettings { title } posts(first: 1) { nodes { title } } }' },
        })
        expect(result.status).toBe('ok')
        expect((result as { value: { data: unknown } }).value.data).toMatchObject({
          generalSettings: { title: expect.any(String) },
        })
      },
      600_000,
    )
  },
)
