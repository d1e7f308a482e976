import type { PhpWorker } from '../worker/php-worker-client.js'
import type { PhpLogEntry } from '../worker/php-worker-protocol.js'

/** What a command needs from the runtime it runs in. */
export interface CommandHost {
  /** The runtime's PHP worker as of now (a recovery replaces it, so read it at each use). */
  readonly worker: PhpWorker
  /** Records the PHP log entries a call produced (logs and events). */
  readonly log: (entry: PhpLogEntry) => void
}
