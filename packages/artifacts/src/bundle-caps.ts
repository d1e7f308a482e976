import { boundStrings } from './bound-strings.js'
import { boundBytes, boundText, withoutText } from './bounded-text.js'
import type { BundleLimits } from './bundle-limits.js'
import { capJsonLines, truncationLine } from './cap-json-lines.js'
import type { MailRecord } from './mail-record.js'
import type { Redactor } from './redactor.js'
import type { BoundedText, BundleManifest, CommandRecord } from './schemas.js'
import { stableStringify } from './stable-json.js'

/** What the bundle's `manifest.truncation` counts. */
export type TruncationCounts = BundleManifest['truncation']

/** Records the producer dropped before the bundle was written (its bounded histories), and their bytes. */
export interface DroppedRecords {
  readonly records: number
  readonly bytes: number
}

const line = (value: unknown): string => `${stableStringify(value)}\n`
const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8')
const byteSum = (lines: readonly string[]): number => lines.reduce((sum, l) => sum + byteLength(l), 0)
const jsonLines = (lines: readonly string[]): Uint8Array => Buffer.from(lines.join(''), 'utf8')

/**
 * Applies a bundle's {@link BundleLimits} while its files are built: redacts, cuts with an explicit marker in
 * place, and counts every cut for `manifest.truncation`. One instance per bundle.
 */
export class BundleCaps {
  readonly #limits: BundleLimits
  readonly #redactor: Redactor
  readonly #counts = { strings: 0, files: 0, omittedBytes: 0, records: 0 }

  constructor(limits: BundleLimits, redactor: Redactor) {
    this.#limits = limits
    this.#redactor = redactor
  }

  /** Everything cut so far. */
  get truncation(): TruncationCounts {
    return { ...this.#counts }
  }

  /** A JSON value, redacted, with every string cut to `maxStringBytes`. */
  json<T>(value: T): T {
    const bounded = boundStrings(this.#redactor.redactJson(value), this.#limits.maxStringBytes)
    this.#counts.strings += bounded.cutStrings
    this.#counts.omittedBytes += bounded.omittedBytes
    return bounded.value
  }

  /** A command's stdout or stderr, redacted and cut to `maxOutputBytes`; earlier cuts stay counted in it. */
  output(value: string | BoundedText): BoundedText {
    const given: BoundedText =
      typeof value === 'string'
        ? { text: value, totalBytes: byteLength(value), truncated: false, omittedBytes: 0 }
        : value
    const cut = boundText(this.#redactor.redactText(given.text), this.#limits.maxOutputBytes)
    if (cut.truncated) {
      this.#counts.strings++
      this.#counts.omittedBytes += cut.omittedBytes
    }
    return {
      text: cut.text,
      totalBytes: given.totalBytes,
      truncated: given.truncated || cut.truncated,
      omittedBytes: given.omittedBytes + cut.omittedBytes,
    }
  }

  /** A stored file's bytes (a log, the patch) cut to `maxFileBytes`, head and tail around the marker. */
  file(bytes: Uint8Array): Uint8Array {
    const cut = boundBytes(bytes, this.#limits.maxFileBytes)
    if (cut.omittedBytes > 0) this.omittedFile(cut.omittedBytes)
    return cut.bytes
  }

  /** Counts a file (or part of one) of `bytes` left out of the bundle. */
  omittedFile(bytes: number): void {
    this.#counts.files++
    this.#counts.omittedBytes += bytes
  }

  /**
   * `commands.jsonl` within `maxCommandsBytes`: the producer's `history-cap` record first, then every record
   * with its outputs while they fit; otherwise outputs go first (see {@link capCommands}), then records from
   * the middle.
   */
  commandsFile(commands: readonly CommandRecord[], dropped: DroppedRecords | undefined): Uint8Array {
    const prefix = this.#droppedLine(dropped)
    const max = this.#limits.maxCommandsBytes
    const lines = this.#capCommands(commands, max - byteSum(prefix))
    return jsonLines(this.#capLines(prefix, lines, max))
  }

  /** `events.jsonl` within `maxEventsBytes`; each event goes through {@link BundleCaps.json}. */
  eventsFile(events: readonly unknown[], dropped: DroppedRecords | undefined): Uint8Array {
    const prefix = this.#droppedLine(dropped)
    const lines = events.map((event) => line(this.json(event)))
    return jsonLines(this.#capLines(prefix, lines, this.#limits.maxEventsBytes))
  }

  /**
   * `mail.jsonl` within `maxMailBytes`: each message through {@link BundleCaps.json}, its body cut to
   * `maxOutputBytes` like a command's output.
   */
  mailFile(
    mail: readonly (Omit<MailRecord, 'body'> & { body: string | BoundedText })[],
    dropped: DroppedRecords | undefined,
  ): Uint8Array {
    const prefix = this.#droppedLine(dropped)
    const lines = mail.map((m) => line({ ...this.json({ ...m, body: '' }), body: this.output(m.body) }))
    return jsonLines(this.#capLines(prefix, lines, this.#limits.maxMailBytes))
  }

  /** The `history-cap` record for what the producer dropped, counted; it is always kept. */
  #droppedLine(dropped: DroppedRecords | undefined): string[] {
    if (!dropped || dropped.records === 0) return []
    this.#counts.records += dropped.records
    this.#counts.omittedBytes += dropped.bytes
    return [truncationLine('history-cap', dropped.records, dropped.bytes)]
  }

  /** Cuts the middle of a JSON-lines file to `maxBytes` (after the always-kept prefix), counted. */
  #capLines(prefix: string[], lines: readonly string[], maxBytes: number): string[] {
    const capped = capJsonLines(lines, maxBytes - byteSum(prefix))
    if (capped.omittedRecords > 0) {
      this.#counts.records += capped.omittedRecords
      this.#counts.omittedBytes += capped.omittedBytes
    }
    return [...prefix, ...capped.lines]
  }

  /**
   * Fits command records into `maxBytes`: every record is kept with its outputs while they fit. Otherwise
   * outputs are dropped (marker only), keeping those of the commands at both ends first, as far as the budget
   * allows. Cutting records is left to {@link BundleCaps.commandsFile}.
   */
  #capCommands(commands: readonly CommandRecord[], maxBytes: number): string[] {
    const full = commands.map((c) => line(c))
    if (byteSum(full) <= maxBytes) return full
    const chosen = commands.map((c) =>
      line({ ...c, stdout: withoutText(c.stdout), stderr: withoutText(c.stderr) }),
    )
    let spare = maxBytes - byteSum(chosen)
    const kept = new Set<number>()
    for (let lo = 0, hi = commands.length - 1; lo <= hi; lo++, hi--) {
      for (const i of lo === hi ? [lo] : [lo, hi]) {
        const extra = byteLength(full[i]!) - byteLength(chosen[i]!)
        if (extra <= spare) {
          chosen[i] = full[i]!
          spare -= extra
          kept.add(i)
        }
      }
    }
    for (const [i, c] of commands.entries()) {
      if (kept.has(i)) continue
      for (const out of [c.stdout, c.stderr]) {
        if (out.text.length === 0) continue
        this.#counts.strings++
        this.#counts.omittedBytes += byteLength(out.text)
      }
    }
    return chosen
  }
}
