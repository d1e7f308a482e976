import { playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { POLICY } from './bench-constants.js'

/** The per-request configuration a codebox runtime gives WordPress, read from a live runtime. */
export interface RuntimeSiteConfig {
  /** Its must-use plugins (the headless policy pack, the GraphQL guardrails), by file name. */
  readonly muPlugins: Readonly<Record<string, string>>
  /** `define(...)` lines for the constants the runtime's worker defines besides WP_HOME/WP_SITEURL. */
  readonly defines: readonly string[]
}

/**
 * Reads what a default `playground()` runtime runs WordPress with, so the native baseline site can be configured
 * identically: the same must-use plugins (so the same hooks run: no WP-Cron spawn, no update checks, outbound HTTP
 * denied, the GraphQL guardrails) and the same constants (`DISABLE_WP_CRON`, the packs' `CODEBOX_*` settings).
 * Read from a runtime rather than copied from the backend's sources, so the two cannot drift apart.
 */
export async function readRuntimeSiteConfig(plugins: readonly string[]): Promise<RuntimeSiteConfig> {
  await using runtime = await createRuntime({
    backend: playground({ plugins: [...plugins] }),
    policy: POLICY,
  })
  const result = await runtime.execute({
    command: 'wordpress.run-php',
    args: {
      code: `<?php
$mu = array();
foreach (glob(WPMU_PLUGIN_DIR . '/*.php') as $file) $mu[basename($file)] = file_get_contents($file);
$names = array_filter(array_keys(get_defined_constants(true)['user']), function ($name) {
  return $name === 'DISABLE_WP_CRON' || strpos($name, 'CODEBOX_') === 0;
});
$defines = array_map(function ($name) {
  return 'define( ' . var_export($name, true) . ', ' . var_export(constant($name), true) . ' );';
}, array_values($names));
echo json_encode(array('muPlugins' => $mu, 'defines' => $defines));`,
    },
  })
  if (result.status !== 'ok') throw new Error(`reading the runtime's site configuration: ${result.status}`)
  const config = JSON.parse(result.stdout) as RuntimeSiteConfig
  if (Object.keys(config.muPlugins).length === 0 || config.defines.length === 0) {
    throw new Error(`the runtime reported no must-use plugins or constants: ${result.stdout.slice(0, 300)}`)
  }
  return config
}
