import type { BackendCreateContext } from '@codebox/runtime-core'
import type { WorkerEvent } from './worker/php-worker-protocol.js'

/**
 * Turns the PHP worker's sandbox events into runtime events: every refused outbound connection (and every
 * refused `listen()`) becomes a `network.blocked` event, `via: 'php-socket'` (curl, PHP streams, fsockopen,
 * stream_socket_client and the WordPress HTTP API all end up at the socket layer) or `via: 'php-listen'`.
 */
export function forwardWorkerEvent(emit: BackendCreateContext['emit'], event: WorkerEvent): void {
  if (event.type === 'network.denied') {
    emit({ type: 'network.blocked', host: event.host, port: event.port, via: 'php-socket' })
  } else if (event.type === 'network.listen-denied') {
    emit({ type: 'network.blocked', host: event.host, port: event.port, via: 'php-listen' })
  }
}
