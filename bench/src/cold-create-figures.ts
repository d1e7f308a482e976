import { createResourceResolver, playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { POLICY } from './bench-constants.js'
import type { BenchContext } from './bench-context.js'
import { createTempDir } from './temp-dir.js'

/**
 * Cold create: every sample gets a fresh, empty cache directory (so layers are extracted and the installer runs),
 * seeded only with the WPGraphQL zip, as a first download would leave it. Seeding is not timed.
 */
export async function measureColdCreate({
  config,
  results,
  wpGraphql,
  plugins,
}: BenchContext): Promise<void> {
  if (config.coldSamples === 0) {
    results.note('cold create skipped: --cold-samples 0')
    return
  }
  const samples: number[] = []
  for (let index = 0; index < config.coldSamples; index++) {
    await using cacheDir = await createTempDir('codebox-bench-cold-')
    if (wpGraphql.available) {
      await createResourceResolver({ cacheDir: cacheDir.path, download: false }).cacheAdd(wpGraphql.seed)
    }
    const started = performance.now()
    const runtime = await createRuntime({
      backend: playground({ plugins: [...plugins], cacheDir: cacheDir.path, download: false }),
      policy: POLICY,
    })
    samples.push(performance.now() - started)
    await runtime.destroy()
  }
  results.samples('cold-create', 'cold create (empty template cache)', samples, {
    detail: `fresh cacheDir per sample, plugins: ${plugins.join(', ') || 'none'}`,
  })
}
