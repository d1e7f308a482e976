import { fileURLToPath } from 'node:url'
import type { PlaygroundOptions } from '@codebox/backend-playground'
import type { BenchContext } from './bench-context.js'
import { OPCACHE_BY_DEFAULT } from './request-figures.js'
import { runBenchChild } from './run-child.js'

const CHILD = fileURLToPath(new URL('./rss-child.ts', import.meta.url))
const CHILD_TIMEOUT_MS = 300_000

interface RssChildReport {
  readonly beforeBytes: number
  readonly afterBytes: number
  readonly runtimes: number
}

function runChild(runtimes: number, options: PlaygroundOptions): Promise<RssChildReport> {
  return runBenchChild(CHILD, [String(runtimes), JSON.stringify(options)], CHILD_TIMEOUT_MS)
}

/**
 * RSS per additional idle runtime, (RSS after − RSS before) / K, measured in a separate process: on `playground()` as
 * users get it (`rss-per-runtime`, the target's figure), then with the OPcache setting flipped.
 */
export async function measureRss({ config, results, plugins }: BenchContext): Promise<void> {
  for (const variant of ['default', 'alternate'] as const) {
    const opcache = variant === 'default' ? OPCACHE_BY_DEFAULT : !OPCACHE_BY_DEFAULT
    const options: PlaygroundOptions = {
      plugins: [...plugins],
      ...(variant === 'default' ? {} : { opcache }),
    }
    const report = await runChild(config.rssRuntimes, options)
    const perRuntime = (report.afterBytes - report.beforeBytes) / report.runtimes / 1e6
    const suffix = variant === 'default' ? '' : opcache ? '-opcache' : '-no-opcache'
    results.value(
      `rss-per-runtime${suffix}`,
      `RSS per additional idle runtime, OPcache ${opcache ? 'on' : 'off'}${variant === 'default' ? ' (default)' : ''}`,
      perRuntime,
      'MB',
      {
        detail: `K=${report.runtimes}: ${(report.beforeBytes / 1e6).toFixed(0)} → ${(report.afterBytes / 1e6).toFixed(0)} MB RSS in a child process`,
      },
    )
  }
}
