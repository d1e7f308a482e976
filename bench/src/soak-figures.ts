import { fileURLToPath } from 'node:url'
import type { BenchContext } from './bench-context.js'
import { runBenchChild } from './run-child.js'
import type { SoakReport } from './soak-child.js'

const CHILD = fileURLToPath(new URL('./soak-child.ts', import.meta.url))
const CHILD_TIMEOUT_MS = 30 * 60_000

/**
 * The soak (also `pnpm soak`): `--soak-runtimes` runtimes × `--soak-commands` mixed commands at once in a child
 * process, on `playground()` as users get it. Figures: RSS growth from the end of the warm-up to the end (the
 * target: flat), and failed commands (the target: none).
 */
export async function measureSoak({ config, results, plugins }: BenchContext): Promise<void> {
  const report = await runBenchChild<SoakReport>(
    CHILD,
    [String(config.soakRuntimes), String(config.soakCommands), JSON.stringify({ plugins: [...plugins] })],
    CHILD_TIMEOUT_MS,
  )
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`
  const total = report.runtimes * report.commandsPerRuntime
  const shape = `${report.runtimes} runtimes × ${report.commandsPerRuntime} commands (run-php, REST, option-set)`
  results.value(
    'soak-rss-growth',
    'soak: RSS growth after warm-up',
    ((report.endRssBytes - report.warmRssBytes) / report.warmRssBytes) * 100,
    '%',
    {
      detail:
        `${shape}: ${mb(report.warmRssBytes)} after ${report.warmupPerRuntime} commands each → ${mb(report.endRssBytes)} at the end (peak ${mb(report.peakRssBytes)}); ` +
        `host-thread JS heap ${mb(report.warmHostHeapBytes)} → ${mb(report.endHostHeapBytes)} (mostly runtime history, which stops at its byte caps)`,
    },
  )
  results.value('soak-failures', 'soak: failed commands', report.failures, 'count', {
    detail: `${report.failures} of ${total}${report.failureMessages.length > 0 ? `: ${report.failureMessages.join(' | ')}` : ''}`,
  })
  results.value('soak-rate', 'soak: commands per second', total / (report.durationMs / 1000), 'req/s', {
    detail: `${total} commands in ${(report.durationMs / 1000).toFixed(1)} s, creates included`,
  })
}
