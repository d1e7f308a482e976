import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { setup, useResolverFixture } from './resource-resolver.test-fixture.js'

useResolverFixture()

/** A folder with the published artifacts (`wp-graphql-2.5.3.zip`, `wp-cli.phar`), given by CODEBOX_SEED_DIR. */
const SEED = process.env.CODEBOX_SEED_DIR ?? ''
const seeded = (file: string) => SEED !== '' && existsSync(path.join(SEED, file))
const skipReason = (file: string) =>
  seeded(file) ? '' : ` (skipped: set CODEBOX_SEED_DIR to a folder holding the published ${file})`

describe('the real WPGraphQL and WP-CLI files', () => {
  it.skipIf(!seeded('wp-graphql-2.5.3.zip'))(
    `adds the published WPGraphQL 2.5.3 zip with its published hash${skipReason('wp-graphql-2.5.3.zip')}`,
    async () => {
      const resolver = await setup({ download: false })
      const graphql = await resolver.cacheAdd(path.join(SEED, 'wp-graphql-2.5.3.zip'))
      expect(graphql).toMatchObject({
        slug: 'wp-graphql',
        version: '2.5.3',
        pluginFile: 'wp-graphql/wp-graphql.php',
        name: 'WPGraphQL',
        sha256: 'sha256:d3923d58e5aaf640f4a2d8960bcfa27060fa8b8dbfe1cae0e51d541ace33df63',
      })
      expect((await resolver.resolvePlugin('wp-graphql')).origin).toBe('cache')
    },
  )

  it.skipIf(!seeded('wp-cli.phar'))(
    `adds the published wp-cli 2.10.0 phar with its published hash${skipReason('wp-cli.phar')}`,
    async () => {
      const resolver = await setup({ download: false })
      const wpCli = await resolver.cacheAdd(path.join(SEED, 'wp-cli.phar'))
      expect(wpCli).toMatchObject({
        slug: 'wp-cli',
        version: '2.10.0',
        sha256: 'sha256:4c6a93cecae7f499ca481fa7a6d6d4299c8b93214e5e5308e26770dbfd3631df',
      })
      expect((await resolver.resolveTool('wp-cli')).origin).toBe('cache')
    },
  )
})
