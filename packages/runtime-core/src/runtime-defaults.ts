/** Default deadline of `createRuntime()`. */
export const DEFAULT_CREATE_TIMEOUT_MS = 120_000
/** Default deadline of a command. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000
/** How long a backend may take to settle after its signal fired before the runtime is declared failed. */
export const ABORT_GRACE_MS = 1_000
/** Output kept per stream per command; the rest is counted, not kept. */
export const MAX_OUTPUT_BYTES = 1024 * 1024
