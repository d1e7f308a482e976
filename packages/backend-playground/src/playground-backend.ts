import { homedir } from 'node:os'
import { join } from 'node:path'
import type { BackendCreateContext, BackendInstance, RuntimeBackend } from '@codebox/runtime-core'
import { type PlaygroundCommands, playgroundCommands } from './commands/command-catalogue.js'
import { type PlaygroundOptions, parsePlaygroundOptions } from './playground-options.js'
import { createPlaygroundInstance } from './runtime/create-playground-instance.js'

/** The default cache directory: `$CODEBOX_CACHE_DIR`, else `~/.cache/codebox`. */
export function defaultCacheDir(): string {
  return process.env.CODEBOX_CACHE_DIR || join(homedir(), '.cache', 'codebox')
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
    // A deterministic runtime gets a seeded clock and entropy in its PHP worker (worker/deterministic-sources.ts).
    deterministic: true,
    create: (context: BackendCreateContext): Promise<BackendInstance> =>
      createPlaygroundInstance(resolved, context, resolved.cacheDir ?? defaultCacheDir()),
  }
}
