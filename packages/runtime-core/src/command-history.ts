import { truncationMarker } from '@codebox/artifacts'
import { boundStrings, jsonBytes } from './bound-strings.js'
import type { CommandRecord, RecordedOutput } from './runtime.js'
import { DEFAULT_RUNTIME_LIMITS } from './runtime-limits.js'
import { SizedQueue } from './sized-queue.js'

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

function withoutText(output: RecordedOutput): RecordedOutput {
  if (output.text.length === 0) return output
  return Object.freeze({
    text: truncationMarker(output.totalBytes),
    totalBytes: output.totalBytes,
    truncated: true,
    omittedBytes: output.totalBytes,
  })
}

/**
 * The bounded, append-only record of a runtime's commands. Memory stays within {@link CommandHistoryLimits}
 * however many commands run and however much they print; what was dropped is counted for the bundle.
 * Internal to runtime-core.
 */
export class CommandHistory {
  readonly #limits: CommandHistoryLimits
  readonly #records = new SizedQueue<CommandRecord>()
  /** Records before this position (counted from the oldest held) have had their outputs dropped already. */
  #stripped = 0
  #droppedRecords = 0
  #droppedBytes = 0

  constructor(limits: Partial<CommandHistoryLimits> = {}) {
    this.#limits = { ...DEFAULT_COMMAND_HISTORY_LIMITS, ...limits }
  }

  /** Kept records, oldest first. */
  get records(): readonly CommandRecord[] {
    return this.#records.toArray()
  }

  /** Records that fell out (the oldest) and their JSON size. */
  get dropped(): { readonly records: number; readonly bytes: number } {
    return { records: this.#droppedRecords, bytes: this.#droppedBytes }
  }

  /** Bytes held now, as JSON. */
  get bytes(): number {
    return this.#records.bytes
  }

  push(record: CommandRecord): void {
    const args = boundStrings(record.args, this.#limits.maxStringBytes).value
    const kept = args === record.args ? record : Object.freeze({ ...record, args })
    this.#records.push(kept, jsonBytes(kept))
    const newest = this.#records.length - 1
    while (this.#records.bytes > this.#limits.maxBytes && this.#stripped < newest) {
      const at = this.#stripped++
      const old = this.#records.at(at) as CommandRecord
      const lean = Object.freeze({ ...old, stdout: withoutText(old.stdout), stderr: withoutText(old.stderr) })
      this.#records.replace(at, lean, jsonBytes(lean))
    }
    const dropped = this.#records.dropOldestWhile(
      () => this.#records.length > this.#limits.maxRecords || this.#records.bytes > this.#limits.maxBytes,
    )
    this.#droppedRecords += dropped.count
    this.#droppedBytes += dropped.bytes
    this.#stripped = Math.max(0, this.#stripped - dropped.count)
  }
}
