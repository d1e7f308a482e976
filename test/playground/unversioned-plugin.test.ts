/**
 * A plugin in development has a `Plugin Name:` header and no `Version:` line. Given as a local source (to
 * `playground({ plugins })` or a recipe's `extra_plugins`) it must boot, activate, and be recorded by its digest.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { playground, playgroundRecipeBackend, treeDigest } from '@codebox/backend-playground'
import { createRuntime, runRecipe } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const policy = { commands: { allow: ['wordpress.*'] } } as const
let work: string
let pluginDir: string
let digest: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'codebox-unversioned-'))
  pluginDir = join(work, 'dev-widget')
  await mkdir(pluginDir)
  await writeFile(
    join(pluginDir, 'dev-widget.php'),
    "<?php\n/**\n * Plugin Name: Dev Widget\n */\nadd_action('init', function () { define('DEV_WIDGET_LOADED', true); });\n",
  )
  digest = await treeDigest(pluginDir)
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('a local plugin without a "Version:" header', () => {
  it('boots and activates from playground({ plugins }), recorded in provenance by its digest', async () => {
    await using runtime = await createRuntime({
      backend: playground({
        plugins: [{ slug: 'dev-widget', source: pluginDir }],
        approvedPlugins: {
          schema: 'codebox/approved-plugins/v1',
          plugins: [{ slug: 'dev-widget', sha256: digest.slice('sha256:'.length) }],
        },
      }),
      policy,
      cleanupOnExit: false,
    })
    const loaded = await runtime.execute({
      command: 'wordpress.run-php',
      args: { code: "<?php echo defined('DEV_WIDGET_LOADED') ? 'loaded' : 'missing';" },
    })
    expect(loaded.stdout).toBe('loaded')
    const component = runtime.provenance.components.find((entry) => entry.name === 'dev-widget')
    expect(component).toEqual({ kind: 'plugin', name: 'dev-widget', sha256: digest, source: 'local' })
  }, 180_000)

  it("runs as a recipe's extra_plugins entry and passes a plugin-active probe", async () => {
    const result = await runRecipe(
      {
        schema: 'wp-codebox/workspace-recipe/v1',
        label: 'unversioned-plugin',
        runtime: { backend: 'playground', wp: '6.5', phpVersion: '8.3' },
        inputs: {
          extra_plugins: [{ source: pluginDir, slug: 'dev-widget', pluginFile: 'dev-widget/dev-widget.php' }],
          pluginRuntime: {
            healthProbes: [
              { name: 'active', type: 'plugin-active', pluginFile: 'dev-widget/dev-widget.php' },
            ],
          },
        },
      },
      {
        backendFactory: (spec) => playgroundRecipeBackend(spec, { download: false }),
        baseDir: work,
        artifactsDirectory: join(work, 'artifacts'),
      },
    )
    expect(result.diagnostics).toEqual([])
    expect(result.status).toBe('ok')
  }, 240_000)
})
