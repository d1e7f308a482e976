const cleanups = new Set<() => void>()
let installed = false

function runAll(): void {
  for (const cleanup of [...cleanups]) {
    try {
      cleanup()
    } catch {
      // Best effort: the process is ending.
    }
  }
  cleanups.clear()
}

function onSignal(signal: NodeJS.Signals): void {
  runAll()
  process.exitCode = 130
  process.removeListener('SIGINT', onSignal)
  process.removeListener('SIGTERM', onSignal)
  // Others (the runtime registry) may still be cleaning up and will re-raise; otherwise exit now.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

/**
 * Registers a synchronous cleanup (kill a server, remove a temp dir) that runs at exit and on SIGINT/SIGTERM,
 * in case the harness stops before its own `finally` blocks. Returns the undo, to call once cleaned up normally.
 */
export function cleanupOnExit(cleanup: () => void): () => void {
  if (!installed) {
    installed = true
    process.on('exit', runAll)
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  }
  cleanups.add(cleanup)
  return () => {
    cleanups.delete(cleanup)
  }
}
