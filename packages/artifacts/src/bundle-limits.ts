import { ArtifactsError } from './artifacts-error.js'

/** Size caps applied while writing; every cut is marked in place and counted in `manifest.truncation`. */
export interface BundleLimits {
  /** Any string inside a JSON document (args, events, diagnostics, inputs…). Default 64 KiB. */
  maxStringBytes: number
  /** Each command's stdout and stderr text. Default 1 MiB. */
  maxOutputBytes: number
  /** Each log, the patch, and each stored changed file (larger changed files are recorded, not stored). Default 16 MiB. */
  maxFileBytes: number
  /** The runtime snapshot, compressed and decompressed; a larger snapshot is left out and counted. Default 512 MiB. */
  maxSnapshotBytes: number
  /**
   * The whole of `commands.jsonl`. Over it, command outputs are dropped (those of the first and last commands are
   * kept first), then records from the middle are replaced by one truncation record. Default 64 MiB; at least 4 KiB.
   */
  maxCommandsBytes: number
  /** The whole of `events.jsonl`; over it the middle is replaced by one truncation record. Default 32 MiB; at least 4 KiB. */
  maxEventsBytes: number
  /**
   * The whole of `mail.jsonl`; over it the middle is replaced by one truncation record (each body is already cut to
   * `maxOutputBytes`). Default 16 MiB; at least 4 KiB.
   */
  maxMailBytes: number
}

/** Defaults of {@link BundleLimits}. */
export const DEFAULT_BUNDLE_LIMITS: Readonly<BundleLimits> = {
  maxStringBytes: 64 * 1024,
  maxOutputBytes: 1024 * 1024,
  maxFileBytes: 16 * 1024 * 1024,
  maxSnapshotBytes: 512 * 1024 * 1024,
  maxCommandsBytes: 64 * 1024 * 1024,
  maxEventsBytes: 32 * 1024 * 1024,
  maxMailBytes: 16 * 1024 * 1024,
}

/** Smallest accepted `maxCommandsBytes` / `maxEventsBytes` / `maxMailBytes`: room for a truncation record and a few lines. */
const MIN_JSON_LINES_BYTES = 4 * 1024

/**
 * The given limits over the defaults. Fails with `BUNDLE_INPUT_INVALID` (naming `$.limits.<key>`) when a
 * JSON-lines cap leaves no room for a truncation record.
 */
export function resolveBundleLimits(given: Partial<BundleLimits> | undefined): BundleLimits {
  const limits: BundleLimits = { ...DEFAULT_BUNDLE_LIMITS, ...given }
  for (const key of ['maxCommandsBytes', 'maxEventsBytes', 'maxMailBytes'] as const) {
    if (!(limits[key] >= MIN_JSON_LINES_BYTES)) {
      throw new ArtifactsError('BUNDLE_INPUT_INVALID', `limits.${key} is too small.`, {
        issues: [{ path: `$.limits.${key}`, message: `must be at least ${MIN_JSON_LINES_BYTES} bytes` }],
      })
    }
  }
  return limits
}
