/**
 * Byte caps on what a runtime keeps in memory about its own past: its command history, its event history and the
 * buffer of every `observe()` reader. A long-lived runtime runs commands without end, so each is bounded; what
 * falls out is counted, and `collect()` marks it in the bundle.
 *
 * The defaults are small on purpose: a runtime itself (PHP, WordPress) costs tens of MB, and the soak measured
 * RSS growing linearly with commands while each runtime could keep 64 MiB of history and 32 MiB of events.
 * 2 MiB keeps hundreds of ordinary commands whole (a WordPress command's record is a few hundred bytes to a few
 * KiB) and, because outputs are dropped before records, every record of thousands; raise them for a short run
 * whose bundle should keep large outputs.
 */
export interface RuntimeLimits {
  /**
   * Bytes of command history (`runtime.history`, the bundle's `commands.jsonl`), as JSON. Over it the oldest
   * commands' outputs become truncation markers first, then the oldest records go. Default 2 MiB.
   */
  readonly historyBytes?: number
  /**
   * Bytes of event history (replayed by `observe({ replay: true })`, the bundle's `events.jsonl`), as JSON; the
   * oldest events go first. Default 2 MiB.
   */
  readonly eventHistoryBytes?: number
  /**
   * Bytes of events an `observe()` reader may have waiting; beyond it the oldest are dropped and the reader gets an
   * `events.dropped` event. Per reader; `observe({ maxBufferedBytes })` overrides it. Default 1 MiB.
   */
  readonly observeBufferBytes?: number
}

const MiB = 1024 * 1024

/** Defaults of {@link RuntimeLimits}. */
export const DEFAULT_RUNTIME_LIMITS: Required<RuntimeLimits> = Object.freeze({
  historyBytes: 2 * MiB,
  eventHistoryBytes: 2 * MiB,
  observeBufferBytes: 1 * MiB,
})
