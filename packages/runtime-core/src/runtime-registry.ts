import type { RuntimeState } from './errors.js'

/** What the registry needs from a live runtime. */
export interface RegisteredRuntime {
  readonly id: string
  readonly state: RuntimeState
  destroy(reason?: 'process-exit' | 'signal'): Promise<void>
  destroySync(): void
}

/** How a runtime was registered. */
export interface RegistrationOptions {
  /** Destroy it on process exit, SIGINT and SIGTERM. Default true. */
  readonly cleanupOnExit?: boolean
  /** Captured where `createRuntime()` was called; its stack says where the runtime was made. */
  readonly createdAt?: Error
}

/** A runtime not yet destroyed, as {@link runtimeRegistry.live} reports it (for leak checks). */
export interface LiveRuntimeRecord {
  readonly id: string
  /** Its lifecycle state now (`destroying` means a destroy is already under way). */
  readonly state: RuntimeState
  /** The stack at the `createRuntime()` call that made it, when the platform records stacks. */
  readonly createdAt: string | undefined
  /** Destroys it (idempotent). */
  destroy(): Promise<void>
}

interface Entry {
  readonly cleanupOnExit: boolean
  readonly createdAt: Error | undefined
}

const live = new Map<RegisteredRuntime, Entry>()
let installed = false

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

function cleanupTargets(): RegisteredRuntime[] {
  return [...live].filter(([, entry]) => entry.cleanupOnExit).map(([runtime]) => runtime)
}

function onExit(): void {
  for (const runtime of cleanupTargets()) {
    try {
      runtime.destroySync()
    } catch {
      // Best effort at exit: nothing can be awaited here.
    }
  }
  live.clear()
}

function onSignal(signal: NodeJS.Signals): void {
  const pending = cleanupTargets().map((runtime) => runtime.destroy('signal').catch(() => {}))
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
  if (!installed || cleanupTargets().length > 0) return
  installed = false
  process.removeListener('exit', onExit)
  for (const name of SIGNALS) process.removeListener(name, onSignal)
}

/**
 * Tracks live runtimes, so those created with `cleanupOnExit` (the default) are destroyed on process exit, SIGINT
 * and SIGTERM, and so a test harness can find runtimes that outlived their test, with where each was created.
 * Handlers are installed only while at least one such runtime is live, so an idle process keeps Node's default
 * signal behaviour.
 */
export const runtimeRegistry = {
  /** Registers a runtime that was just created. Called by `createRuntime()`. */
  add(runtime: RegisteredRuntime, options: RegistrationOptions = {}): void {
    const cleanupOnExit = options.cleanupOnExit !== false
    live.set(runtime, { cleanupOnExit, createdAt: options.createdAt })
    if (cleanupOnExit) install()
  },
  delete(runtime: RegisteredRuntime): void {
    live.delete(runtime)
    uninstallIfIdle()
  },
  /** Ids of the runtimes not yet destroyed. */
  liveIds(): string[] {
    return [...live.keys()].map((runtime) => runtime.id)
  },
  /** The runtimes not yet destroyed, with where each was created (see {@link LiveRuntimeRecord}). */
  live(): LiveRuntimeRecord[] {
    return [...live].map(([runtime, entry]) => ({
      id: runtime.id,
      state: runtime.state,
      createdAt: entry.createdAt?.stack,
      destroy: () => runtime.destroy(),
    }))
  },
  /** Destroys every live runtime (for test teardown). */
  async destroyAll(): Promise<void> {
    await Promise.allSettled([...live.keys()].map((runtime) => runtime.destroy()))
  },
}
