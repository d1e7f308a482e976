import { readFile } from 'node:fs/promises'
import type { BackendCommandOutcome, BackendCreateContext, CommandContext } from '@codebox/runtime-core'
import { createResourceResolver, type ResolvedTool } from '../resources/index.js'
import type { PhpWorker } from '../worker/php-worker-client.js'
import type { CommandHost } from './command-host.js'
import { wpCliProgram } from './php-snippets.js'

const decoder = new TextDecoder()

/** Where the phar lives inside the worker. */
const WP_CLI_PHAR = '/internal/codebox/wp-cli/wp-cli.phar'

/** Where a runtime's wp-cli comes from. */
export interface WpCliToolOptions {
  readonly cacheDir: string
  /** The `download` option of the backend. Default: the resolver's. */
  readonly download?: boolean | undefined
  /** The `wpCli` option of the backend: a local phar instead of the pinned release. */
  readonly source?: string | undefined
  readonly emit: BackendCreateContext['emit']
}

/**
 * A runtime's wp-cli, resolved (and written into the worker) on the first `wordpress.wp-cli` command only, since
 * most runtimes never use it; once resolved it joins the runtime's provenance.
 */
export class WpCliTool {
  readonly #options: WpCliToolOptions
  #resolved: ResolvedTool | undefined

  constructor(options: WpCliToolOptions) {
    this.#options = options
  }

  /** The resolved phar, once a command needed it. */
  get resolved(): ResolvedTool | undefined {
    return this.#resolved
  }

  /** Resolves the phar and writes it into `worker`, the first time only. */
  async install(worker: PhpWorker, signal: AbortSignal): Promise<ResolvedTool> {
    if (this.#resolved) return this.#resolved
    const resolver = createResourceResolver({
      cacheDir: this.#options.cacheDir,
      ...(this.#options.download === undefined ? {} : { download: this.#options.download }),
    })
    const resolved = await resolver.resolveTool(
      this.#options.source ? { name: 'wp-cli' as const, source: this.#options.source } : 'wp-cli',
      { signal },
    )
    await worker.writeFile(WP_CLI_PHAR, new Uint8Array(await readFile(resolved.path)))
    this.#resolved = resolved
    this.#options.emit({
      type: 'log',
      level: 'info',
      message: `wp-cli ${resolved.version} (${resolved.sha256}) from ${resolved.origin}`,
      source: 'resources',
    })
    return resolved
  }
}

/** `wordpress.wp-cli`: runs wp-cli in the runtime with the given argv (a leading `wp` is dropped). */
export async function wpCliCommand(
  host: CommandHost,
  tool: WpCliTool,
  argv: readonly string[],
  context: CommandContext,
): Promise<BackendCommandOutcome> {
  await tool.install(host.worker, context.signal)
  const args = argv[0] === 'wp' ? argv.slice(1) : argv
  const result = await host.worker.run(
    { code: wpCliProgram(WP_CLI_PHAR, args) },
    {
      signal: context.signal,
      onOutput: ({ stream, chunk }) => context.output(stream, decoder.decode(chunk)),
    },
  )
  for (const entry of result.errors) host.log(entry)
  return { exitCode: result.exitCode, value: undefined }
}
