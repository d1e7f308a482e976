import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createResourceResolver, playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const PLUGIN = fileURLToPath(new URL('../../examples/recipes/plugins/healthy-stack', import.meta.url))
const policy = { commands: { allow: ['wordpress.*'] } } as const
const spec = { slug: 'healthy-stack', version: '1.0.0', source: PLUGIN }

describe('playground({ approvedPlugins })', () => {
  let cacheDir: string
  let digest: string

  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'codebox-approved-'))
    const resolved = await createResourceResolver({ cacheDir, download: false }).resolvePlugin(spec)
    digest = resolved.sha256.replace(/^sha256:/, '')
  })

  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true })
  })

  it('refuses a plugin that is not on the manifest before anything boots, naming it', async () => {
    const error = await createRuntime({
      backend: playground({
        cacheDir,
        plugins: [spec],
        approvedPlugins: { schema: 'codebox/approved-plugins/v1', plugins: [] },
      }),
      policy,
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({
      code: 'PLUGIN_NOT_APPROVED',
      message: expect.stringContaining('healthy-stack'),
    })
    // Refused while resolving plugins: no site template was prepared for it.
    expect(await readdir(cacheDir)).not.toContain('sites')
  })

  it('refuses a listed plugin whose hash differs from the approved one', async () => {
    const error = await createRuntime({
      backend: playground({
        cacheDir,
        plugins: [spec],
        approvedPlugins: {
          schema: 'codebox/approved-plugins/v1',
          plugins: [{ slug: 'healthy-stack', version: '1.0.0', sha256: '0'.repeat(64) }],
        },
      }),
      policy,
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'PLUGIN_NOT_APPROVED' })
  })

  it('boots and activates an approved plugin', async () => {
    await using runtime = await createRuntime({
      backend: playground({
        cacheDir,
        plugins: [spec],
        approvedPlugins: {
          schema: 'codebox/approved-plugins/v1',
          plugins: [{ slug: 'healthy-stack', version: '1.0.0', sha256: digest }],
        },
      }),
      policy,
    })
    const active = await runtime.execute({
      command: 'wordpress.run-php',
      args: {
        code: "<?php echo json_encode(in_array('healthy-stack/healthy-stack.php', get_option('active_plugins'), true));",
      },
    })
    expect(active.stdout).toBe('true')
  }, 120_000)

  it('rejects a malformed manifest as an invalid option naming the field', () => {
    expect(() =>
      playground({
        approvedPlugins: { schema: 'codebox/approved-plugins/v1', plugins: [{ slug: 'x' }] } as never,
      }),
    ).toThrow(expect.objectContaining({ code: 'PLAYGROUND_OPTIONS_INVALID' }))
  })
})
