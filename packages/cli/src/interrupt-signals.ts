const SIGNALS = ['SIGINT', 'SIGTERM'] as const

/**
 * Calls `handler` with the number of interrupts so far on each SIGINT or SIGTERM, until the returned undo is called.
 * A signal within `coalesceMs` of the previous one counts as the same interrupt: a terminal's Ctrl-C reaches both
 * the `codebox` launcher (bin/codebox.mjs) and this process, and the launcher forwards it, so one key press
 * arrives twice.
 */
export function onInterrupt(handler: (count: number) => void, coalesceMs = 500): () => void {
  let count = 0
  let last = Number.NEGATIVE_INFINITY
  const listener = () => {
    const now = performance.now()
    const repeated = now - last < coalesceMs
    last = now
    if (repeated) return
    count += 1
    handler(count)
  }
  for (const signal of SIGNALS) process.on(signal, listener)
  return () => {
    for (const signal of SIGNALS) process.removeListener(signal, listener)
  }
}
