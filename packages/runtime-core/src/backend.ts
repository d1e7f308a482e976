import type { RuntimePolicy } from '@codebox/policy'
import type { CommandCatalogue } from './commands.js'
import type { RuntimeEventInput } from './events.js'
import type { Logger } from './logger.js'

/** Where a mount is visible inside the runtime and how it may be used. */
export interface MountSpec {
  /** Host path (file or directory) to mount. Relative paths resolve against the process working directory. */
  readonly source: string
  /** Absolute path inside the runtime, e.g. `/wordpress/wp-content/plugins/my-plugin`. */
  readonly target: string
  /** `readonly` (default): writes fail. `readwrite`: writes go to a private copy and are reported as changes. */
  readonly mode?: 'readonly' | 'readwrite'
}

/** A mount as the backend made it. */
export interface BackendMount {
  /** Stable id of this mount within the runtime. */
  readonly id: string
  /** The host path actually mounted (after resolving symlinks). */
  readonly source: string
  readonly target: string
  readonly mode: 'readonly' | 'readwrite'
  /** Removes the mount. Idempotent. */
  unmount(): Promise<void>
}

/** One component a runtime is made of, recorded in bundles with its hash. */
export interface ProvenanceComponent {
  readonly kind: 'backend' | 'runtime' | 'wordpress' | 'php' | 'plugin' | 'tool' | 'template' | 'layer'
  readonly name: string
  readonly version?: string
  /** `sha256:<hex>` of the artifact the component came from, when there is one. */
  readonly sha256?: string
  /** Where it came from: a path, a package, a URL. */
  readonly source?: string
  /** For a loadable part (a PHP extension): whether this runtime loads it. */
  readonly enabled?: boolean
  /** For a PHP module: the extensions PHP reports loaded (`get_loaded_extensions()`). */
  readonly extensions?: readonly string[]
}

/** What a runtime is made of. */
export interface RuntimeProvenance {
  readonly backend: { readonly name: string; readonly version: string }
  readonly components: readonly ProvenanceComponent[]
}

/** A portable snapshot of a runtime's mutable state. `bytes` is the whole snapshot file. */
export interface RuntimeSnapshot {
  /** Format of `bytes`, e.g. `codebox/playground-snapshot/v1`. */
  readonly format: string
  /** Backend name that produced it; restoring needs the same backend. */
  readonly backend: string
  readonly id: string
  readonly createdAt: string
  /** The snapshot file. Write it to disk as is; pass it (or these bytes) to `createRuntime({ from })`. */
  readonly bytes: Uint8Array
}

/** One changed file inside a readwrite mount, against the baseline taken when it was mounted. */
export interface ChangedFile {
  /** Id of the mount it belongs to. */
  readonly mount: string
  /** Path relative to the mount root, with `/` separators. */
  readonly path: string
  readonly status: 'added' | 'modified' | 'deleted'
  readonly before?: Uint8Array
  readonly after?: Uint8Array
}

/** What readwrite mounts changed. */
export interface ChangeSet {
  readonly mounts: readonly { readonly id: string; readonly source: string; readonly target: string }[]
  readonly files: readonly ChangedFile[]
}

/** A plugin-runtime diagnostic (`wp-codebox/plugin-runtime-diagnostic/v1`). */
export interface RuntimeDiagnostic {
  readonly severity: 'error' | 'warning' | 'info'
  readonly phase: 'boot' | 'setup' | 'health-probe' | 'runtime'
  readonly name: string
  readonly command: string | null
  readonly exitCode: number | null
  readonly message: string
  readonly executionIndex: number | null
}

/** What a backend adds to a bundle. */
export interface BackendCollectContribution {
  /** Log files by name, e.g. `php-error.log`, `boot.log`. */
  readonly logs?: Readonly<Record<string, string | Uint8Array>>
  readonly changes?: ChangeSet
  readonly diagnostics?: readonly RuntimeDiagnostic[]
}

/**
 * A seeded clock and entropy source for the sandbox (`createRuntime({ deterministic })`), for backends that declare
 * `deterministic: true`: the sandbox's wall clock starts at `clockMs` and advances deterministically, and its random
 * sources are a stream seeded by `seed`.
 */
export interface BackendDeterminism {
  /** Milliseconds since the epoch. */
  readonly clockMs: number
  readonly seed: number
}

/** Context handed to a backend when it creates an instance. */
export interface BackendCreateContext {
  readonly runtimeId: string
  /** The effective, validated policy. */
  readonly policy: RuntimePolicy
  /** Aborted when creation is cancelled or times out; the backend must stop booting and free what it took. */
  readonly signal: AbortSignal
  /** Emits an event (it is redacted and stamped by runtime-core). */
  readonly emit: (event: RuntimeEventInput) => void
  readonly logger: Logger
  /** Secrets the policy lets into this runtime, by name (for example as PHP constants). */
  readonly secrets: ReadonlyMap<string, string>
  /** Snapshot to restore instead of booting fresh. */
  readonly from?: RuntimeSnapshot
  /** Set when the runtime is deterministic (only for backends that declare `deterministic: true`). */
  readonly deterministic?: BackendDeterminism
  /** Mounts to make before boot. */
  readonly mounts: readonly Required<MountSpec>[]
  /**
   * Declares the instance failed (for example its PHP worker crashed and could not be recovered). runtime-core
   * moves the runtime to `failed`, emits `runtime.failed` and a diagnostic, and refuses further commands.
   */
  readonly fail: (reason: string) => void
  /**
   * Throws `POLICY_MOUNT_DENIED` unless the policy allows mounting `source`. Backends call it with the real
   * (symlink-resolved, absolute) host path of every mount before making it.
   */
  readonly assertMountAllowed: (source: string, mode: 'readonly' | 'readwrite') => void
}

/** Context for one command run. */
export interface CommandContext {
  readonly commandId: string
  readonly index: number
  /**
   * Aborted on timeout, on the caller's signal and on destroy. The backend must stop the work itself
   * (not only stop waiting) and settle promptly; a backend that has not settled one second after the signal fires
   * is declared failed.
   */
  readonly signal: AbortSignal
  /** Streams output as it is produced. */
  readonly output: (stream: 'stdout' | 'stderr', chunk: string) => void
  readonly emit: (event: RuntimeEventInput) => void
}

/** How a backend reports a finished command. `status` is `ok` when absent and exitCode is 0. */
export interface BackendCommandOutcome {
  readonly exitCode: number
  readonly stdout?: string
  readonly stderr?: string
  /** The typed value of the command. */
  readonly value?: unknown
  /** A message explaining a failure. */
  readonly message?: string
  /** The typed code of a failure (e.g. `GRAPHQL_UNAVAILABLE`), kept on the failed result as `code`. */
  readonly code?: string
  /** Peak memory of the command's PHP requests in bytes, when the backend measures it (see `CommandResultBase`). */
  readonly peakMemoryBytes?: number
}

/** Whether and how one policy field is enforced. */
export interface EnforcementEntry {
  readonly status: 'enforced' | 'declared-only' | 'not-applicable'
  readonly detail: string
}

/** Options passed to a backend operation. */
export interface BackendCallContext {
  readonly signal: AbortSignal
}

/** A live instance created by a backend: one sandbox. */
export interface BackendInstance {
  readonly provenance: RuntimeProvenance
  /** How this instance enforces the policy fields only a backend can enforce. */
  readonly enforcement: {
    readonly network: EnforcementEntry
    readonly filesystem: EnforcementEntry
  }
  mount(spec: Required<MountSpec>, context: BackendCallContext): Promise<BackendMount>
  execute(command: string, args: unknown, context: CommandContext): Promise<BackendCommandOutcome>
  snapshot(context: BackendCallContext): Promise<RuntimeSnapshot>
  /** Optional named checkpoints inside the instance. */
  checkpoint?(name: string, context: BackendCallContext): Promise<void>
  restore?(name: string, context: BackendCallContext): Promise<void>
  /** Adds logs, changes and diagnostics to a bundle. */
  collect(context: BackendCallContext): Promise<BackendCollectContribution>
  /** Frees everything. Called once by runtime-core. */
  destroy(): Promise<void>
  /** Best-effort synchronous cleanup for process exit (temp directories); workers die with the process. */
  destroySync?(): void
}

/**
 * What a backend implements. Small on purpose: a name, a command catalogue and a factory of instances.
 *
 * @example
 * const runtime = await createRuntime({ backend: playground() })
 */
export interface RuntimeBackend<C extends CommandCatalogue = CommandCatalogue> {
  /** Short name recorded in provenance and snapshots, e.g. `playground`. */
  readonly name: string
  /** The commands this backend runs. */
  readonly commands: C
  /**
   * Whether it honours `context.deterministic` (a seeded clock and entropy in the sandbox). Without it,
   * `createRuntime({ deterministic })` fails with `DETERMINISM_UNSUPPORTED`. Default false.
   */
  readonly deterministic?: boolean
  /** Creates one sandbox. Must honour `context.signal`. */
  create(context: BackendCreateContext): Promise<BackendInstance>
}
