import type { CommandStatus } from './events.js'

/**
 * A runtime's counters since it was created, from `runtime.stats()`. Counted by runtime-core, so every backend
 * reports them the same way.
 */
export interface RuntimeStats {
  /** Commands that finished (any status), denied ones included. */
  readonly commands: number
  /** Commands that finished with status `failed`. */
  readonly failures: number
  /** Commands stopped at their deadline (status `timed-out`). */
  readonly timeouts: number
  /** Commands stopped by the caller's signal or by destroy (status `aborted`). */
  readonly aborted: number
  /** Commands the policy or an approval refused (status `denied`). */
  readonly denied: number
  /**
   * Times the backend replaced a lost worker and went on: diagnostics with code {@link RUNTIME_RECOVERED} (the
   * Playground backend's worker supervisor raises one after each recovery).
   */
  readonly restarts: number
}

/** The diagnostic code a backend raises when it recovered from a lost worker; counted as a restart. */
export const RUNTIME_RECOVERED = 'RUNTIME_RECOVERED'

/** Mutable counters behind {@link RuntimeStats}. Internal to runtime-core. */
export class RuntimeCounters {
  #commands = 0
  #failures = 0
  #timeouts = 0
  #aborted = 0
  #denied = 0
  #restarts = 0

  /** Counts a finished command by its status. */
  commandFinished(status: CommandStatus): void {
    this.#commands += 1
    if (status === 'failed') this.#failures += 1
    else if (status === 'timed-out') this.#timeouts += 1
    else if (status === 'aborted') this.#aborted += 1
    else if (status === 'denied') this.#denied += 1
  }

  /** Counts a recovery the backend reported. */
  restarted(): void {
    this.#restarts += 1
  }

  /** A frozen copy of the counters now. */
  snapshot(): RuntimeStats {
    return Object.freeze({
      commands: this.#commands,
      failures: this.#failures,
      timeouts: this.#timeouts,
      aborted: this.#aborted,
      denied: this.#denied,
      restarts: this.#restarts,
    })
  }
}
