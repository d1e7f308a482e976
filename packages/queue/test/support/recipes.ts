import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A small recipe that needs nothing beyond npm (no WPGraphQL, no wp-cli): WordPress 6.5 boots, a PHP probe passes,
 * one workflow step prints the site name.
 */
export function smallRecipe(label = 'queue-small'): Record<string, unknown> {
  return {
    schema: 'wp-codebox/workspace-recipe/v1',
    label,
    runtime: { backend: 'playground', wp: '6.5' },
    inputs: {
      pluginRuntime: {
        healthProbes: [{ name: 'php-answers', type: 'php', code: "echo 'alive';", stdoutContains: 'alive' }],
      },
    },
    workflow: {
      steps: [
        {
          name: 'site-name',
          command: 'wordpress.run-php',
          args: { code: "<?php echo get_bloginfo('name');" },
        },
      ],
    },
  }
}

/** The small recipe with a probe that fails: the job must complete with a failed result, not be retried. */
export function failingRecipe(): Record<string, unknown> {
  const recipe = smallRecipe('queue-failing')
  return {
    ...recipe,
    inputs: {
      pluginRuntime: {
        healthProbes: [
          {
            name: 'expects-the-impossible',
            type: 'php',
            code: "echo 'alive';",
            stdoutContains: 'never printed',
          },
        ],
      },
    },
  }
}

/**
 * A recipe whose workflow step waits until the file `open` appears in the host directory `<baseDir>/gate`
 * (mounted read-only, so the PHP step sees it the moment the test creates it). A job of it is "mid-run" for as
 * long as the test keeps the gate shut: no test depends on how fast anything is.
 */
export function gatedRecipe(label = 'queue-gated'): Record<string, unknown> {
  return {
    schema: 'wp-codebox/workspace-recipe/v1',
    label,
    runtime: { backend: 'playground', wp: '6.5' },
    inputs: { mounts: [{ source: './gate', target: '/wordpress/wp-content/gate', mode: 'readonly' }] },
    workflow: {
      steps: [
        {
          name: 'wait-for-gate',
          command: 'wordpress.run-php',
          timeoutMs: 600_000,
          args: {
            bootstrap: 'none',
            code: "<?php while (!file_exists('/wordpress/wp-content/gate/open')) { usleep(50000); clearstatcache(); } echo 'gate opened';",
          },
        },
      ],
    },
  }
}

/** A fresh base directory with a shut gate, for {@link gatedRecipe}; `open()` opens it. */
export async function createGate(): Promise<{ readonly baseDir: string; open(): Promise<void> }> {
  const baseDir = await mkdtemp(join(tmpdir(), 'codebox-queue-gate-'))
  await mkdir(join(baseDir, 'gate'))
  return { baseDir, open: () => writeFile(join(baseDir, 'gate', 'open'), 'open\n') }
}
