import { truncationMarker } from './bounded-text.js'
import type { BoundedText, CommandRecord } from './schemas.js'

/** A command's output with its text dropped: only the marker remains, and every byte counts as omitted. */
function withoutText(out: BoundedText): BoundedText {
  if (out.text.length === 0) return out
  return {
    text: truncationMarker(out.totalBytes),
    totalBytes: out.totalBytes,
    truncated: true,
    omittedBytes: out.totalBytes,
  }
}

/**
 * Fits `commands.jsonl` into `maxBytes`: every record is kept with its outputs while they fit. Otherwise outputs
 * are dropped (marker only), keeping those of the commands at both ends first, as far as the budget allows; only
 * when the records alone are too large are records from the middle cut (`capMiddle`).
 */
export function capCommands(
  commands: readonly CommandRecord[],
  maxBytes: number,
  counters: { strings: number; omittedBytes: number },
  line: (value: unknown) => string,
  capMiddle: (lines: readonly string[]) => string[],
): string[] {
  const full = commands.map((c) => line(c))
  const size = (l: string): number => Buffer.byteLength(l, 'utf8')
  if (full.reduce((sum, l) => sum + size(l), 0) <= maxBytes) return capMiddle(full)
  const bare = commands.map((c) => ({ ...c, stdout: withoutText(c.stdout), stderr: withoutText(c.stderr) }))
  const chosen = bare.map((c) => line(c))
  let spare = maxBytes - chosen.reduce((sum, l) => sum + size(l), 0)
  const kept = new Set<number>()
  for (let lo = 0, hi = commands.length - 1; lo <= hi; lo++, hi--) {
    for (const i of lo === hi ? [lo] : [lo, hi]) {
      const extra = size(full[i]!) - size(chosen[i]!)
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
      counters.strings++
      counters.omittedBytes += Buffer.byteLength(out.text, 'utf8')
    }
  }
  return capMiddle(chosen)
}
