import type { KeyObject } from 'node:crypto'
import type { BundleLimits, OmittedFile } from '@codebox/artifacts'
import type {
  ApprovalHandler,
  ConnectorCredentialEnvelope,
  ConnectorDeclaration,
  CredentialProvider,
  RuntimePolicy,
} from '@codebox/policy'
import type {
  BackendMount,
  MountSpec,
  RuntimeBackend,
  RuntimeDiagnostic,
  RuntimeProvenance,
  RuntimeSnapshot,
} from './backend.js'
import type { CommandArgs, CommandCatalogue, CommandName, CommandValue } from './commands.js'
import type { RuntimeState } from './errors.js'
import type { ObserveOptions } from './event-hub.js'
import type { CommandStatus, RuntimeEvent, RuntimeEventOf, RuntimeEventType } from './events.js'
import type { Logger } from './logger.js'
import type { CapturedMail } from './mail-message.js'
import type { DeterministicOptions } from './runtime-determinism.js'
import type { RuntimeLimits } from './runtime-limits.js'
import type { RuntimeStats } from './runtime-stats.js'

/** Options every call accepts. */
export interface CallOptions {
  /** Aborting stops the work, not only the wait. */
  readonly signal?: AbortSignal
  /** Deadline for the call in milliseconds. */
  readonly timeoutMs?: number
}

/** Options of {@link createRuntime}. */
export interface CreateRuntimeOptions<C extends CommandCatalogue = CommandCatalogue> extends CallOptions {
  /** The backend instance to run on, e.g. `playground()`. runtime-core never imports a backend itself. */
  readonly backend: RuntimeBackend<C>
  /**
   * What the runtime may do (see `@codebox/policy`). Default: deny everything, so pass at least
   * `{ commands: { allow: [...] } }` to run commands.
   */
  readonly policy?: unknown
  /** Console-shaped logger. Default: silent. */
  readonly logger?: Logger
  /** JSON-safe caller data, recorded in bundles. Default `{}`. */
  readonly metadata?: Readonly<Record<string, unknown>>
  /** A snapshot (or its bytes) to restore instead of starting fresh. */
  readonly from?: RuntimeSnapshot | Uint8Array
  /** Mounts made before boot. Default none. */
  readonly mounts?: readonly MountSpec[]
  /** Connectors whose secrets this runtime needs; missing or denied ones fail creation before boot. Default none. */
  readonly connectors?: readonly ConnectorDeclaration[]
  /** Where secret values come from. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Alternative secret source, consulted before `env`. */
  readonly secretProvider?: CredentialProvider
  /** Asked before commands or writes the policy puts under approval. Without it such requests are denied. */
  readonly onApproval?: ApprovalHandler
  /** Destroy this runtime on process exit, SIGINT and SIGTERM. Default true. */
  readonly cleanupOnExit?: boolean
  /**
   * Byte caps on the command history, the event history and each `observe()` reader's buffer (see
   * {@link RuntimeLimits}). Defaults: 2 MiB, 2 MiB and 1 MiB, small so that a long-lived runtime's memory stays
   * flat however many commands it runs.
   */
  readonly limits?: RuntimeLimits
  /**
   * Runs reproducibly: the sandbox's clock starts at `clock` and advances deterministically, its random sources
   * are seeded by `seed`, and the runtime, command and bundle ids derive from the seed, so two runs of the same
   * commands give the same outputs and bundles that differ only in measured times (see `runtime-determinism.ts` and
   * the README for what stays real). Backends must support it (`DETERMINISM_UNSUPPORTED` otherwise). Default off.
   */
  readonly deterministic?: DeterministicOptions
}

/** Options of `runtime.execute()`. */
export interface ExecuteRequest<C extends CommandCatalogue, N extends CommandName<C>> extends CallOptions {
  /** Command name from the backend's catalogue. */
  readonly command: N
  /** Arguments: an object matching the command's schema, or recipe-style `"key=value"` strings. */
  readonly args?: CommandArgs<C, N> | readonly string[]
  /** Throw `CommandFailedError` unless the status is `ok`. Default false: a failed command is data. */
  readonly throwOnFailure?: boolean
}

/** Fields every command result has. */
export interface CommandResultBase {
  /** Unique id of this run. */
  readonly id: string
  /** 0-based position among this runtime's commands. */
  readonly index: number
  readonly command: string
  readonly exitCode: number | null
  readonly stdout: string
  readonly stderr: string
  /** Bytes of output produced, including any not kept. */
  readonly stdoutBytes: number
  readonly stderrBytes: number
  /** True when stdout or stderr was cut to the output cap. */
  readonly truncated: boolean
  readonly startedAt: string
  readonly durationMs: number
  /**
   * Peak memory PHP used while running the command (`memory_get_peak_usage(true)` at the end of its PHP requests,
   * the largest if it made several), in bytes. Absent when the backend does not measure it or the command never
   * finished a PHP request (denied, stopped at its deadline, crashed).
   */
  readonly peakMemoryBytes?: number
}

/** A command result, keyed by `status`. Redacted like every event. */
export type CommandResult<V = unknown> =
  | (CommandResultBase & { readonly status: 'ok'; readonly value: V })
  | (CommandResultBase & {
      readonly status: 'failed'
      readonly value?: V
      readonly message: string
      /** The typed error code when the backend threw one, e.g. `RESOURCE_UNAVAILABLE`. */
      readonly code?: string
    })
  | (CommandResultBase & {
      readonly status: 'timed-out'
      readonly timeoutMs: number
      readonly message: string
      readonly code: 'OPERATION_TIMED_OUT'
    })
  | (CommandResultBase & {
      readonly status: 'aborted'
      readonly message: string
      readonly code: 'OPERATION_ABORTED'
    })
  | (CommandResultBase & {
      readonly status: 'denied'
      readonly reason: 'policy' | 'approval'
      readonly message: string
      readonly code: 'POLICY_COMMAND_DENIED' | 'APPROVAL_DENIED'
    })

/** Options of `runtime.snapshot()`. */
export type SnapshotOptions = CallOptions

/** Options of `runtime.collect()`. */
export interface CollectOptions extends CallOptions {
  /**
   * The folder bundles go into; the bundle is `<directory>/codebox-bundle-<id>` (or `.tar.gz`). Give `path`
   * instead to choose the exact bundle path. One of the two is required.
   */
  readonly directory?: string
  /** The exact path of the bundle directory or `.tar.gz` file; it must not exist yet. */
  readonly path?: string
  /** Default `directory`. */
  readonly format?: 'directory' | 'tar.gz'
  /**
   * Include a snapshot of the runtime in the bundle. Default false. The snapshot is stored unredacted, so it is
   * left out (and the manifest's `omitted` and the result's `omitted` say why) whenever the runtime has a connector
   * secret or a credential shape shows inside it; keep such a snapshot with `runtime.snapshot()` instead.
   */
  readonly includeSnapshot?: boolean
  /** Ed25519 private key (KeyObject or PKCS#8 PEM) to sign the attestation. Default: an ephemeral key (integrity only). */
  readonly signingKey?: KeyObject | string
  /** Extra timings in ms (e.g. a recipe's per-phase timings), merged into the bundle's timings. Default none. */
  readonly timings?: Readonly<Record<string, number>>
  /** Extra diagnostics (e.g. a recipe's setup and probe failures), added after the runtime's own. Default none. */
  readonly diagnostics?: readonly RuntimeDiagnostic[]
  /**
   * Size caps of the bundle (per string, per command output, per file, `commands.jsonl`, `events.jsonl`, snapshot).
   * Default `DEFAULT_BUNDLE_LIMITS` of `@codebox/artifacts`.
   */
  readonly limits?: Partial<BundleLimits>
}

/** What `collect()` wrote. */
export interface CollectResult {
  readonly path: string
  readonly bundleId: string
  /** Files listed in the manifest. */
  readonly files: number
  /** Bytes of those files (as stored: redacted, bounded). */
  readonly bytes: number
  /** Files left out on purpose, with the reason (as in the manifest), e.g. the snapshot while secrets are declared. */
  readonly omitted: readonly OmittedFile[]
}

/** Removes a mount; also carries what was mounted. */
export type Unmount = (() => Promise<void>) & { readonly mount: Omit<BackendMount, 'unmount'> }

/** Output kept for a record: text (bounded, redacted) and byte counts. */
export interface RecordedOutput {
  readonly text: string
  readonly totalBytes: number
  readonly truncated: boolean
  readonly omittedBytes: number
}

/** One recorded command, as kept for bundles (`commands.jsonl`). */
export interface CommandRecord {
  readonly id: string
  readonly index: number
  readonly command: string
  readonly args: unknown
  readonly status: CommandStatus
  readonly exitCode: number | null
  readonly startedAt: string
  readonly finishedAt: string
  readonly durationMs: number
  readonly stdout: RecordedOutput
  readonly stderr: RecordedOutput
  readonly error?: { readonly code: string; readonly message: string }
  /** See {@link CommandResultBase.peakMemoryBytes}. */
  readonly peakMemoryBytes?: number
}

/**
 * A live sandbox. Obtain one with {@link createRuntime}; free it with `destroy()` or `await using`.
 *
 * @example
 * await using runtime = await createRuntime({ backend, policy: { commands: { allow: ['wordpress.*'] } } })
 * const result = await runtime.execute({ command: 'wordpress.run-php', args: { code: '<?php echo 1;' } })
 */
export interface Runtime<C extends CommandCatalogue = CommandCatalogue> extends AsyncDisposable {
  readonly id: string
  /** Name of the backend. */
  readonly backend: string
  readonly state: RuntimeState
  /** The effective policy. */
  readonly policy: RuntimePolicy
  /** `sha256:<hex>` of the effective policy. */
  readonly policyDigest: string
  readonly metadata: Readonly<Record<string, unknown>>
  readonly provenance: RuntimeProvenance
  /** Names of the commands this runtime's backend offers. */
  readonly commands: readonly CommandName<C>[]
  /** Connector-credential envelopes (names and status only). */
  readonly credentials: readonly ConnectorCredentialEnvelope[]
  /** Diagnostics raised so far. */
  readonly diagnostics: readonly RuntimeDiagnostic[]
  /** Commands run so far (redacted). */
  readonly history: readonly CommandRecord[]

  mount(spec: MountSpec & CallOptions): Promise<Unmount>
  execute<N extends CommandName<C>>(request: ExecuteRequest<C, N>): Promise<CommandResult<CommandValue<C, N>>>
  /** Events as an async iterable that ends when the runtime is destroyed. */
  observe<T extends RuntimeEventType = RuntimeEventType>(
    options?: ObserveOptions<T>,
  ): AsyncIterableIterator<RuntimeEventOf<T>>
  /** Calls `listener` for every event; returns the unsubscribe function. */
  on(type: '*', listener: (event: RuntimeEvent) => void): () => void
  /** Calls `listener` for each event of `type`; returns the unsubscribe function. */
  on<T extends RuntimeEventType>(type: T, listener: (event: RuntimeEventOf<T>) => void): () => void
  /**
   * The mail the sandbox sent so far, oldest first: every message is captured (never delivered) and redacted, and
   * also emitted as a `mail.captured` event and written to the bundle's `mail.jsonl`. Bounded (16 MiB, 10 000
   * messages, 1 MiB per body by default): the oldest are dropped first, and the bundle counts them.
   *
   * Mail is something the runtime did, like its command history, not state of the site: a snapshot does not carry
   * it, so a runtime created `from` a snapshot starts with an empty mailbox, and `restore()` of a checkpoint keeps
   * the messages already captured. Empty for a backend that sends no mail.
   *
   * @example
   * await runtime.execute({ command: 'wordpress.run-php', args: { code: "<?php wp_mail('a@example.org', 'Hi', 'Body');" } })
   * runtime.mail()[0]?.subject // 'Hi'
   */
  mail(): readonly CapturedMail[]
  snapshot(options?: SnapshotOptions): Promise<RuntimeSnapshot>
  /** Saves a named checkpoint inside the runtime (if the backend supports it). */
  checkpoint(name: string, options?: CallOptions): Promise<void>
  /** Returns the runtime to a named checkpoint. */
  restore(name: string, options?: CallOptions): Promise<void>
  collect(options: CollectOptions): Promise<CollectResult>
  /** Counters since the runtime was created: commands by outcome and worker restarts (see {@link RuntimeStats}). */
  stats(): RuntimeStats
  /** Frees the runtime. Idempotent and safe to call concurrently. */
  destroy(): Promise<void>
}
