import { AbortedError } from '@codebox/runtime-core'

/** Throws `AbortedError` (`OPERATION_ABORTED`) naming `operation` when the caller has already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted) throw new AbortedError(operation, signal.reason)
}
