import { createRequire } from 'node:module'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { RuntimePolicy } from '@codebox/policy'
import type { BackendCreateContext, BackendInstance, RuntimeBackend } from '@codebox/runtime-core'
import { type PlaygroundCommands, playgroundCommands } from './command-catalogue.js'
import { PlaygroundInstance } from './playground-instance.js'
import { type PlaygroundOptions, parsePlaygroundOptions } from './playground-options.js'
import type { NetworkPolicy as WorkerNetworkPolicy } from './worker/php-worker-protocol.js'

const require = createRequire(import.meta.url)

/** This package's version, recorded in provenance. */
export const BACKEND_VERSION: string = (require('../package.json') as { version: string }).version

/** The default cache directory: `$CODEBOX_CACHE_DIR`, else `~/.cache/codebox`. */
export function defaultCacheDir(): string {
  return process.env.CODEBOX_CACHE_DIR || join(homedir(), '.cache', 'codebox')
}

/** Maps the runtime policy's network field to what the PHP worker enforces at the socket layer. */
export function workerNetworkPolicy(network: RuntimePolicy['network']): WorkerNetworkPolicy {
  // Passed through unchanged (ports and all): the worker matches it with @codebox/policy/network-match.
  return typeof network === 'string' ? network : { allowHosts: [...network.allowHosts] }
}

/**
 * The WordPress Playground backend: each runtime is a real WordPress on SQLite in PHP-WebAssembly, on its own
 * worker thread, so PHP never blocks the caller and a runaway script can always be stopped.
 *
 * Options are validated here, so a bad option throws `PLAYGROUND_OPTIONS_INVALID` naming the field before anything
 * boots.
 *
 * @example
 * const runtime = await createRuntime({
 *   backend: playground({ wordpress: '6.5', php: '8.3', plugins: ['wp-graphql'] }),
 *   policy: { commands: { allow: ['wordpress.*'] } },
 * })
 */
export function playground(options: PlaygroundOptions = {}): RuntimeBackend<PlaygroundCommands> {
  const resolved = parsePlaygroundOptions(options)
  return {
    name: 'playground',
    commands: playgroundCommands,
    create: (context: BackendCreateContext): Promise<BackendInstance> =>
      PlaygroundInstance.create(resolved, context, resolved.cacheDir ?? defaultCacheDir()),
  }
}
