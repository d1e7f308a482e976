import { truncationMarker } from '@codebox/artifacts'
import { boundStrings, jsonBytes } from './bound-strings.js'
import type { CommandRecord, RecordedOutput } from './runtime.js'

/** What a runtime's command history (`runtime.history`, `commands.jsonl`) keeps. */
export interface CommandHistoryLimits {
  /**
   * Most bytes kept, as JSON. Over it the outputs of the oldest commands are dropped first (the record stays,
   * its text becomes the truncation marker); only then are the oldest records dropped. Default 64 MiB.
   */
  readonly maxBytes: number
  /** Most records kept; the oldest go first. Default 100 000. */
  readonly maxRecords: number
  /** Any string inside a record's `args` is cut to this size with an explicit marker. Default 64 KiB. */
  readonly maxStringBytes: number
}

/** Defaults of {@link CommandHistoryLimits}. */
export const DEFAULT_COMMAND_HISTORY_LIMITS: CommandHistoryLimits = {
  maxBytes: 64 * 1024 * 1024,
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
  #records: CommandRecord[] = []
  #sizes: number[] = []
  #start = 0
  /** Records before this position (absolute) have had their outputs dropped already. */
  #stripped = 0
  #bytes = 0
  #droppedRecords = 0
  #droppedBytes = 0

  constructor(limits: Partial<CommandHistoryLimits> = {}) {
    this.#limits = { ...DEFAULT_COMMAND_HISTORY_LIMITS, ...limits }
  }

  /** Kept records, oldest first. */
  get records(): readonly CommandRecord[] {
    return this.#records.slice(this.#start)
  }

  /** Records that fell out (the oldest) and their JSON size. */
  get dropped(): { readonly records: number; readonly bytes: number } {
    return { records: this.#droppedRecords, bytes: this.#droppedBytes }
  }

  /** Bytes held now, as JSON. */
  get bytes(): number {
    return this.#bytes
  }

  push(record: CommandRecord): void {
    const args = boundStrings(record.args, this.#limits.maxStringBytes).value
    const kept = args === record.args ? record : Object.freeze({ ...record, args })
    const size = jsonBytes(kept)
    this.#records.push(kept)
    this.#sizes.push(size)
    this.#bytes += size
    const last = this.#records.length - 1
    this.#stripped = Math.max(this.#stripped, this.#start)
    while (this.#bytes > this.#limits.maxBytes && this.#stripped < last) {
      const at = this.#stripped++
      const old = this.#records[at] as CommandRecord
      const lean = Object.freeze({ ...old, stdout: withoutText(old.stdout), stderr: withoutText(old.stderr) })
      const leanSize = jsonBytes(lean)
      this.#bytes += leanSize - (this.#sizes[at] ?? 0)
      this.#records[at] = lean
      this.#sizes[at] = leanSize
    }
    const count = () => this.#records.length - this.#start
    while (count() > 1 && (count() > this.#limits.maxRecords || this.#bytes > this.#limits.maxBytes)) {
      const size = this.#sizes[this.#start] ?? 0
      this.#bytes -= size
      this.#droppedBytes += size
      this.#droppedRecords += 1
      this.#start += 1
    }
    if (this.#start > 1024 && this.#start * 2 > this.#records.length) {
      this.#records = this.#records.slice(this.#start)
      this.#sizes = this.#sizes.slice(this.#start)
      this.#stripped -= this.#start
      this.#start = 0
    }
  }
}
