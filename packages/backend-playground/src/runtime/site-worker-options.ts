import type { RuntimePolicy } from '@codebox/policy'
import type { BackendCreateContext } from '@codebox/runtime-core'
import { headlessConstants } from '../headless/headless-install.js'
import { mailCapturedEvent } from '../mail/mail-capture.js'
import type { ResolvedPlaygroundOptions } from '../playground-options.js'
import type { ResolvedPlugin } from '../resources/index.js'
import type { WordPressTemplate } from '../site/prepare-template.js'
import { pluginVfsPath } from '../site/template-cache.js'
import type { PhpWorkerOptions } from '../worker/php-worker-options.js'
import type {
  CompiledCoreSpec,
  WorkerEvent,
  NetworkPolicy as WorkerNetworkPolicy,
} from '../worker/php-worker-protocol.js'

/** One directory the PHP worker mounts into its filesystem. */
export type WorkerMount = NonNullable<PhpWorkerOptions['mounts']>[number]

/** Maps the runtime policy's network field to what the PHP worker enforces at the socket layer. */
export function workerNetworkPolicy(network: RuntimePolicy['network']): WorkerNetworkPolicy {
  // Passed through unchanged (ports and all): the worker matches it with @codebox/policy/network-match.
  return typeof network === 'string' ? network : { allowHosts: [...network.allowHosts] }
}

/**
 * Turns the PHP worker's sandbox events into runtime events: every refused outbound connection (and every
 * refused `listen()`) becomes a `network.blocked` event, `via: 'php-socket'` (curl, PHP streams, fsockopen,
 * stream_socket_client and the WordPress HTTP API all end up at the socket layer) or `via: 'php-listen'`; a message
 * the mail capture posted becomes a `mail.captured` event.
 */
export function forwardWorkerEvent(emit: BackendCreateContext['emit'], event: WorkerEvent): void {
  if (event.type === 'php.message') {
    const mail = mailCapturedEvent(event.data)
    if (mail) emit(mail)
  } else if (event.type === 'network.denied') {
    emit({ type: 'network.blocked', host: event.host, port: event.port, via: 'php-socket' })
  } else if (event.type === 'network.listen-denied') {
    emit({ type: 'network.blocked', host: event.host, port: event.port, via: 'php-listen' })
  }
}

/** The resolved plugins as read-only worker mounts (the shared, immutable plugin layer). */
export function pluginWorkerMounts(plugins: readonly ResolvedPlugin[]): WorkerMount[] {
  return plugins.map((plugin) => ({ hostPath: plugin.path, vfsPath: pluginVfsPath(plugin), readOnly: true }))
}

/**
 * Everything a runtime's PHP worker boots with, the same at create and at recovery: PHP settings, the network
 * policy, the site directory and mounts, and the runtime's constants (secrets included).
 */
export function siteWorkerOptions(
  options: ResolvedPlaygroundOptions,
  context: BackendCreateContext,
  template: WordPressTemplate,
  mounts: readonly WorkerMount[],
  bootLog: (line: string) => void,
  compiledCore?: CompiledCoreSpec,
): PhpWorkerOptions {
  const secrets = Object.fromEntries(context.secrets)
  return {
    phpVersion: options.php,
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    network: workerNetworkPolicy(context.policy.network),
    memoryLimit: options.memoryLimit,
    phpIni: options.phpIni,
    // Secrets become PHP constants for this runtime only; they live in the worker's memory, never on disk.
    constants: headlessConstants(options.headless, options.graphql, context.policy.network, {
      ...options.constants,
      ...secrets,
    }),
    wordpress: {
      siteDir: template.siteDir,
      siteUrl: options.siteUrl,
      // Core compiled once per template (the caller gives none with shared-memory OPcache: it has no file cache).
      ...(compiledCore ? { compiledCore } : {}),
    },
    mounts,
    maxOutputBytes: options.maxOutputBytes,
    opcache: options.opcache,
    ...(context.deterministic ? { deterministic: context.deterministic } : {}),
    logger: { debug: (message) => bootLog(message) },
    onEvent: (event) => forwardWorkerEvent(context.emit, event),
  }
}
