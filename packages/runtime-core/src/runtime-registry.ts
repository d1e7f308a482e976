/** What the registry needs from a live runtime. */
export interface RegisteredRuntime {
  readonly id: string
  destroy(reason?: 'process-exit' | 'signal'): Promise<void>
  destroySync(): void
}

const live = new Set<RegisteredRuntime>()
let installed = false

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

function onExit(): void {
  for (const runtime of live) {
    try {
      runtime.destroySync()
    } catch {
      // Best effort at exit: nothing can be awaited here.
    }
  }
  live.clear()
}

function onSignal(signal: NodeJS.Signals): void {
  const pending = [...live].map((runtime) => runtime.destroy('signal').catch(() => {}))
  live.clear()
  void Promise.allSettled(pending).then(() => {
    // Only take the default action (exit) when nobody else handles this signal.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  })
  for (const name of SIGNALS) process.removeListener(name, onSignal)
  installed = false
  process.removeListener('exit', onExit)
}

function install(): void {
  if (installed || typeof process === 'undefined' || typeof process.on !== 'function') return
  installed = true
  process.on('exit', onExit)
  for (const name of SIGNALS) process.on(name, onSignal)
}

function uninstallIfIdle(): void {
  if (!installed || live.size > 0) return
  installed = false
  process.removeListener('exit', onExit)
  for (const name of SIGNALS) process.removeListener(name, onSignal)
}

/**
 * Tracks live runtimes so they are destroyed on process exit, SIGINT and SIGTERM. Handlers are installed only
 * while at least one runtime is live, so an idle process keeps Node's default signal behaviour.
 */
export const runtimeRegistry = {
  add(runtime: RegisteredRuntime): void {
    live.add(runtime)
    install()
  },
  delete(runtime: RegisteredRuntime): void {
    live.delete(runtime)
    uninstallIfIdle()
  },
  /** Ids of the runtimes not yet destroyed. */
  liveIds(): string[] {
    return [...live].map((runtime) => runtime.id)
  },
  /** Destroys every live runtime (for test teardown). */
  async destroyAll(): Promise<void> {
    await Promise.allSettled([...live].map((runtime) => runtime.destroy()))
  },
}
