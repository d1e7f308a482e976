import type { PhpWorker } from '../worker/php-worker-client.js'

/**
 * php-wasm's `auto_prepend_file` requires every `/internal/shared/preload/*.php` at the start of each PHP request
 * and script run, so a file there sees every request a command makes (run-php, HTTP, GraphQL, wp-cli).
 */
const PROBE_PATH = '/internal/shared/preload/codebox-peak-memory.php'
/** Where the probe leaves the largest peak since the host last cleared it. */
const PEAK_FILE = '/internal/codebox/peak-memory'

const PROBE_PHP = `<?php
// codebox: at the end of every PHP request, keep the largest memory_get_peak_usage(true) since the host cleared it.
register_shutdown_function(static function () {
\t$peak = memory_get_peak_usage(true);
\t$previous = @file_get_contents('${PEAK_FILE}');
\tif ($previous === false || (int) $previous < $peak) {
\t\t@file_put_contents('${PEAK_FILE}', (string) $peak);
\t}
});
`

/**
 * Measures a command's PHP peak memory without touching the worker: a preload file the host installs in each worker
 * (at boot and after a recovery) records the peak of every PHP request, and the host clears it before a command and
 * reads it after.
 */
export const peakMemoryProbe = {
  /** Installs the probe in a (new) worker. */
  async install(worker: PhpWorker, signal?: AbortSignal): Promise<void> {
    await worker.writeFile(PROBE_PATH, PROBE_PHP, signal ? { signal } : {})
  },

  /** Forgets the peak of earlier requests, so the next read covers only what runs from now on. */
  async clear(worker: PhpWorker): Promise<void> {
    await worker.unlink(PEAK_FILE).catch(() => {})
  },

  /** The largest peak since the last clear, in bytes; undefined when no PHP request finished since. */
  async read(worker: PhpWorker): Promise<number | undefined> {
    const bytes = await worker.readFile(PEAK_FILE).catch(() => undefined)
    if (bytes === undefined) return undefined
    const peak = Number(new TextDecoder().decode(bytes))
    return Number.isSafeInteger(peak) && peak > 0 ? peak : undefined
  },
}
