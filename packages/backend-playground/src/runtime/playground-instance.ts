import type {
  BackendCallContext,
  BackendCollectContribution,
  BackendCommandOutcome,
  BackendCreateContext,
  BackendInstance,
  BackendMount,
  CommandContext,
  RuntimeProvenance,
  RuntimeSnapshot,
} from '@codebox/runtime-core'
import { type DispatchHost, dispatchCommand } from '../commands/dispatch-command.js'
import { WpCliTool } from '../commands/wp-cli-command.js'
import { BackendPlaygroundError } from '../errors.js'
import type { ResolvedPlaygroundOptions } from '../playground-options.js'
import { encodeSiteSnapshot, restoreSiteSnapshot, type SiteLayers } from '../snapshot/site-snapshot.js'
import { decodeSnapshot } from '../snapshot/snapshot-file.js'
import type { PhpRuntimeManifest } from '../worker/php-runtime-manifest.js'
import { isPhpWorkerTerminatedError } from '../worker/php-worker-client.js'
import { peakMemoryProbe } from './peak-memory-probe.js'
import { playgroundEnforcement } from './playground-enforcement.js'
import type { RuntimeLogs } from './runtime-logs.js'
import type { MountRequest, RuntimeMounts } from './runtime-mounts.js'
import { runtimeProvenance, withWpCli } from './runtime-provenance.js'
import type { WorkerSupervisor } from './worker-supervisor.js'

/** The parts of a booted runtime, put together by `createPlaygroundInstance`. */
export interface PlaygroundInstanceParts {
  readonly options: ResolvedPlaygroundOptions
  readonly context: BackendCreateContext
  /** The layers the site sits on; snapshots are taken against this template. */
  readonly layers: SiteLayers
  readonly cacheDir: string
  readonly supervisor: WorkerSupervisor
  readonly mounts: RuntimeMounts
  readonly logs: RuntimeLogs
  /** The PHP runtime by digest, recorded in provenance. */
  readonly phpRuntime?: PhpRuntimeManifest
  /** Where WordPress came from, recorded in provenance. Default: the `wordpress` option as given. */
  readonly wordpressSource?: string
}

/**
 * One Playground sandbox: a PHP worker serving an installed WordPress composed from shared layers. It coordinates
 * the parts that do the work: commands run through the dispatcher on the supervisor's queue, mounts and logs keep
 * their own state, and snapshots and checkpoints encode the site layer against the template.
 */
export class PlaygroundInstance implements BackendInstance {
  readonly enforcement: BackendInstance['enforcement']
  readonly #baseProvenance: RuntimeProvenance
  readonly #layers: SiteLayers
  readonly #supervisor: WorkerSupervisor
  readonly #mounts: RuntimeMounts
  readonly #logs: RuntimeLogs
  readonly #wpCli: WpCliTool
  readonly #host: DispatchHost
  readonly #checkpoints = new Map<string, Uint8Array>()
  #destroyed = false

  constructor(parts: PlaygroundInstanceParts) {
    const { options, context, layers, supervisor, logs } = parts
    this.#layers = layers
    this.#supervisor = supervisor
    this.#mounts = parts.mounts
    this.#logs = logs
    this.#wpCli = new WpCliTool({
      cacheDir: parts.cacheDir,
      download: options.download,
      source: options.wpCli,
      emit: context.emit,
    })
    const wpCli = this.#wpCli
    this.#host = {
      get worker() {
        return supervisor.worker
      },
      log: logs.php,
      maxGraphqlBodyBytes: options.graphql.maxBodyBytes,
      wpCli,
      phpunit: {
        options: options.phpunit,
        cacheDir: parts.cacheDir,
        wordpress: layers.template.wordpressVersion,
        download: options.download,
        attachLog: (name, text) => logs.attach(name, text),
      },
    }
    this.#baseProvenance = runtimeProvenance(
      { php: options.php, wordpress: parts.wordpressSource ?? options.wordpress },
      layers.template,
      layers.plugins,
      parts.phpRuntime,
    )
    this.enforcement = playgroundEnforcement(context.policy)
  }

  /** What this runtime is made of; wp-cli joins it once a `wordpress.wp-cli` command resolved it. */
  get provenance(): RuntimeProvenance {
    return withWpCli(this.#baseProvenance, this.#wpCli.resolved)
  }

  mount(spec: MountRequest, context: BackendCallContext): Promise<BackendMount> {
    return this.#mounts.mount(spec, this.#supervisor, context)
  }

  execute(command: string, args: unknown, context: CommandContext): Promise<BackendCommandOutcome> {
    return this.#supervisor.run(async () => {
      context.signal.throwIfAborted()
      try {
        await peakMemoryProbe.clear(this.#supervisor.worker)
        const outcome = await dispatchCommand(this.#host, command, args, context)
        const peakMemoryBytes = await peakMemoryProbe.read(this.#supervisor.worker)
        await this.#supervisor.saveDatabase()
        return peakMemoryBytes === undefined ? outcome : { ...outcome, peakMemoryBytes }
      } catch (error) {
        if (isPhpWorkerTerminatedError(error)) {
          // The worker is gone (the command was stopped, or PHP crashed). Recover in the background, holding the
          // queue, so this command settles at once and the next one runs on the recovered runtime.
          this.#supervisor.recoverInBackground()
          if (error.reason === 'crashed') {
            return { exitCode: 134, message: `PHP crashed while running ${command}: ${error.message}` }
          }
        }
        throw error
      }
    })
  }

  snapshot(context: BackendCallContext): Promise<RuntimeSnapshot> {
    return this.#supervisor.run(async () => {
      const bytes = await encodeSiteSnapshot(this.#supervisor.worker, this.#layers, context.signal)
      const { manifest } = await decodeSnapshot(bytes)
      this.#supervisor.setRecoveryPoint(bytes)
      return {
        format: 'codebox/playground-snapshot/v1',
        backend: 'playground',
        id: manifest.id,
        createdAt: manifest.createdAt,
        bytes,
      }
    })
  }

  checkpoint(name: string, context: BackendCallContext): Promise<void> {
    return this.#supervisor.run(async () => {
      const bytes = await encodeSiteSnapshot(this.#supervisor.worker, this.#layers, context.signal)
      this.#checkpoints.set(name, bytes)
      this.#supervisor.setRecoveryPoint(bytes)
    })
  }

  restore(name: string, context: BackendCallContext): Promise<void> {
    return this.#supervisor.run(async () => {
      const bytes = this.#checkpoints.get(name)
      if (!bytes) {
        throw new BackendPlaygroundError(
          'CHECKPOINT_UNKNOWN',
          `No checkpoint named ${JSON.stringify(name)}; known: ${[...this.#checkpoints.keys()].join(', ') || '(none)'}.`,
          {
            details: { name },
          },
        )
      }
      await restoreSiteSnapshot(this.#supervisor.worker, this.#layers, bytes, context.signal)
      this.#supervisor.setRecoveryPoint(bytes)
      await this.#supervisor.saveDatabase()
    })
  }

  async collect(_context: BackendCallContext): Promise<BackendCollectContribution> {
    const changes = await this.#mounts.changes()
    return { logs: this.#logs.files(), ...(changes ? { changes } : {}) }
  }

  async destroy(): Promise<void> {
    if (this.#destroyed) return
    this.#destroyed = true
    await this.#supervisor.stop()
    await this.#mounts.dispose()
  }

  destroySync(): void {
    this.#destroyed = true
    this.#supervisor.stopSync()
    // At process exit nothing can be awaited: remove the readwrite mounts' private copies synchronously.
    this.#mounts.disposeSync()
  }
}
