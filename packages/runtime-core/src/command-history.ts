import { BoundedLog, boundStrings, jsonBytes, withoutText } from '@codebox/artifacts'
import type { CommandRecord } from './runtime.js'
import { DEFAULT_RUNTIME_LIMITS } from './runtime-limits.js'

/** What a runtime's command history (`runtime.history`, `commands.jsonl`) keeps. */
export interface CommandHistoryLimits {
  /**
   * Most bytes kept, as JSON. Over it the outputs of the oldest commands are dropped first (the record stays,
   * its text becomes the truncation marker); only then are the oldest records dropped. Default 2 MiB
   * (`createRuntime({ limits: { historyBytes } })`).
   */
  readonly maxBytes: number
  /** Most records kept; the oldest go first. Default 100 000. */
  readonly maxRecords: number
  /** Any string inside a record's `args` is cut to this size with an explicit marker. Default 64 KiB. */
  readonly maxStringBytes: number
}

/** Defaults of {@link CommandHistoryLimits}. */
export const DEFAULT_COMMAND_HISTORY_LIMITS: CommandHistoryLimits = {
  maxBytes: DEFAULT_RUNTIME_LIMITS.historyBytes,
  maxRecords: 100_000,
  maxStringBytes: 64 * 1024,
}

/**
 * The bounded, append-only record of a runtime's commands. Memory stays within {@link CommandHistoryLimits}
 * however many commands run and however much they print; what was dropped is counted for the bundle.
 * Internal to runtime-core.
 */
export class CommandHistory {
  readonly #limits: CommandHistoryLimits
  readonly #log: BoundedLog<CommandRecord>
  /** Records before this absolute position (counting dropped ones) have had their outputs dropped already. */
  #stripped = 0

  constructor(limits: Partial<CommandHistoryLimits> = {}) {
    this.#limits = { ...DEFAULT_COMMAND_HISTORY_LIMITS, ...limits }
    this.#log = new BoundedLog({ maxRecords: this.#limits.maxRecords, maxBytes: this.#limits.maxBytes })
  }

  /** Kept records, oldest first. */
  get records(): readonly CommandRecord[] {
    return this.#log.records
  }

  /** Records that fell out (the oldest) and their JSON size. */
  get dropped(): { readonly records: number; readonly bytes: number } {
    return this.#log.dropped
  }

  /** Bytes held now, as JSON. */
  get bytes(): number {
    return this.#log.bytes
  }

  push(record: CommandRecord): void {
    const args = boundStrings(record.args, this.#limits.maxStringBytes).value
    const kept = args === record.args ? record : Object.freeze({ ...record, args })
    const size = jsonBytes(kept)
    // Before any record goes, the outputs of the oldest kept ones go (never the new record's own).
    let at = Math.max(0, this.#stripped - this.#log.dropped.records)
    while (this.#log.bytes + size > this.#limits.maxBytes && at < this.#log.length) {
      const old = this.#log.at(at) as CommandRecord
      const lean = Object.freeze({ ...old, stdout: withoutText(old.stdout), stderr: withoutText(old.stderr) })
      this.#log.replace(at, lean, jsonBytes(lean))
      at += 1
    }
    this.#stripped = this.#log.dropped.records + at
    this.#log.push(kept, size)
  }
}
