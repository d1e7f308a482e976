import type { Redactor } from '@codebox/artifacts'
import {
  assertMountAllowed as assertPolicyMountAllowed,
  type ConnectorCredentialEnvelope,
  policyDigest,
  type RuntimePolicy,
} from '@codebox/policy'
import { ApprovalGate } from './approval-gate.js'
import type {
  MountSpec,
  RuntimeBackend,
  RuntimeDiagnostic,
  RuntimeProvenance,
  RuntimeSnapshot,
} from './backend.js'
import { collectBundle } from './collect-bundle.js'
import { CommandHistory } from './command-history.js'
import type { CommandCatalogue, CommandName, CommandValue } from './commands.js'
import { CodeboxError, messageOf, type RuntimeState } from './errors.js'
import type { ObserveOptions } from './event-hub.js'
import type { RuntimeEvent, RuntimeEventInput, RuntimeEventOf, RuntimeEventType } from './events.js'
import { ExecutePipeline } from './execute-pipeline.js'
import type { Logger } from './logger.js'
import type { CapturedMail } from './mail-message.js'
import { Mailbox } from './mailbox.js'
import { withRedactedErrors } from './redact-error.js'
import type {
  CallOptions,
  CollectOptions,
  CollectResult,
  CommandRecord,
  CommandResult,
  CreateRuntimeOptions,
  ExecuteRequest,
  Runtime,
  Unmount,
} from './runtime.js'
import type { RuntimeDeterminism } from './runtime-determinism.js'
import { RuntimeEvents } from './runtime-events.js'
import { RuntimeLifecycle } from './runtime-lifecycle.js'
import type { RuntimeLimits } from './runtime-limits.js'
import { RuntimeMounts } from './runtime-mounts.js'
import { runtimeRegistry } from './runtime-registry.js'
import { RuntimeCounters, type RuntimeStats } from './runtime-stats.js'
import { describeCommandSpan, SPAN_ATTRIBUTES, SPAN_NAMES, traced } from './runtime-telemetry.js'

/** What `createRuntime()` resolved before the runtime exists: validated options, policy, credentials. */
export interface RuntimeInit<C extends CommandCatalogue> {
  readonly id: string
  readonly backend: RuntimeBackend<C>
  readonly policy: RuntimePolicy
  readonly logger: Logger
  readonly redactor: Redactor
  readonly metadata: Readonly<Record<string, unknown>>
  readonly credentials: readonly ConnectorCredentialEnvelope[]
  readonly onApproval: CreateRuntimeOptions<C>['onApproval']
  /** Byte caps of the histories and `observe()` buffers, defaults applied. */
  readonly limits: Required<RuntimeLimits>
  /** The create inputs the bundle records (backend, mounts, connectors, whether restored). */
  readonly inputs: Record<string, unknown>
  /** Seeded ids, clock and entropy (`createRuntime({ deterministic })`). */
  readonly determinism?: RuntimeDeterminism
}

/**
 * The {@link Runtime} `createRuntime()` returns. It holds the runtime's parts and routes each call to the one that
 * owns it: the lifecycle state machine ({@link RuntimeLifecycle}), events and diagnostics ({@link RuntimeEvents}),
 * approvals ({@link ApprovalGate}), mounts ({@link RuntimeMounts}), the execute pipeline ({@link ExecutePipeline})
 * and the bundle writer (`collectBundle`). Every error leaving it passes through the redactor.
 * Internal to runtime-core.
 */
export class RuntimeImpl<C extends CommandCatalogue> implements Runtime<C> {
  readonly id: string
  readonly backend: string
  readonly policy: RuntimePolicy
  readonly policyDigest: string
  readonly metadata: Readonly<Record<string, unknown>>
  readonly credentials: readonly ConnectorCredentialEnvelope[]
  /**
   * Emits through the hub (stamping and redaction happen there). A diagnostic raised while exactly one command is
   * running belongs to that command (backends often report through the create context, not the command's).
   */
  readonly emit: (event: RuntimeEventInput) => void
  readonly #backend: RuntimeBackend<C>
  readonly #logger: Logger
  readonly #redactor: Redactor
  readonly #lifecycle = new RuntimeLifecycle()
  readonly #events: RuntimeEvents
  readonly #history: CommandHistory
  readonly #mailbox = new Mailbox()
  readonly #approvals: ApprovalGate
  readonly #mounts: RuntimeMounts
  readonly #pipeline: ExecutePipeline<C>
  readonly #inputs: Record<string, unknown>
  readonly #determinism: RuntimeDeterminism | undefined
  readonly #timings: Record<string, number> = {}
  readonly #counters = new RuntimeCounters()

  constructor(init: RuntimeInit<C>) {
    this.id = init.id
    this.#backend = init.backend
    this.backend = init.backend.name
    this.policy = init.policy
    this.policyDigest = policyDigest(init.policy)
    this.#logger = init.logger
    this.#redactor = init.redactor
    this.metadata = init.metadata
    this.credentials = init.credentials
    this.#inputs = init.inputs
    this.#determinism = init.determinism
    this.#history = new CommandHistory({ maxBytes: init.limits.historyBytes })
    this.#events = new RuntimeEvents(
      init.id,
      init.redactor,
      { maxBytes: init.limits.eventHistoryBytes, observeBufferBytes: init.limits.observeBufferBytes },
      () => this.#counters.restarted(),
    )
    this.emit = this.#events.emit
    this.#events.hub.on('mail.captured', (event) => {
      if (event.type === 'mail.captured') this.#mailbox.record(event)
    })
    this.#approvals = new ApprovalGate({
      policy: init.policy,
      redactor: init.redactor,
      emit: this.emit,
      onApproval: init.onApproval,
    })
    this.#mounts = new RuntimeMounts({
      lifecycle: this.#lifecycle,
      approvals: this.#approvals,
      redactor: init.redactor,
      emit: this.emit,
      assertAllowed: this.assertMountAllowed,
    })
    this.#pipeline = new ExecutePipeline({
      backend: init.backend,
      policy: init.policy,
      redactor: init.redactor,
      lifecycle: this.#lifecycle,
      events: this.#events,
      history: this.#history,
      approvals: this.#approvals,
      fail: this.fail,
      counters: this.#counters,
      ...(init.determinism ? { commandId: commandIds(init.determinism, init.id) } : {}),
    })
  }

  /** The attributes every span of this runtime carries. */
  get #spanAttributes(): Record<string, string> {
    return { [SPAN_ATTRIBUTES.backend]: this.backend, [SPAN_ATTRIBUTES.runtimeId]: this.id }
  }

  stats(): RuntimeStats {
    return this.#counters.snapshot()
  }

  get state(): RuntimeState {
    return this.#lifecycle.state
  }

  get provenance(): RuntimeProvenance {
    return (
      this.#lifecycle.instance?.provenance ?? {
        backend: { name: this.backend, version: 'unknown' },
        components: [],
      }
    )
  }

  get commands(): readonly CommandName<C>[] {
    return Object.keys(this.#backend.commands) as CommandName<C>[]
  }

  get diagnostics(): readonly RuntimeDiagnostic[] {
    return this.#events.diagnostics
  }

  get history(): readonly CommandRecord[] {
    return this.#history.records
  }

  mail(): readonly CapturedMail[] {
    return this.#mailbox.messages
  }

  /** Called by the backend when its instance can no longer be used. */
  fail = (reason: string): void => {
    if (!this.#lifecycle.fail()) return
    const safe = this.#redactor.redactText(reason)
    this.#logger.error?.(`[codebox ${this.id}] runtime failed: ${safe}`)
    this.emit({ type: 'runtime.failed', reason: safe })
    this.emit({
      type: 'diagnostic',
      severity: 'error',
      message: safe,
      code: 'RUNTIME_FAILED',
      phase: 'runtime',
    })
  }

  /** Throws `POLICY_MOUNT_DENIED` unless the policy lets `source` (an absolute, real host path) be mounted. */
  assertMountAllowed = (source: string, mode: 'readonly' | 'readwrite'): void => {
    assertPolicyMountAllowed(this.policy.filesystem, { source, mode })
  }

  /** Boots the backend instance (`creating → ready`): mounts checked and approved first, then `runtime.created`. */
  async start(
    options: CreateRuntimeOptions<C>,
    secrets: ReadonlyMap<string, string>,
    signal: AbortSignal,
  ): Promise<void> {
    const started = performance.now()
    const from =
      options.from instanceof Uint8Array
        ? ({
            format: 'unknown',
            backend: this.backend,
            id: 'bytes',
            createdAt: new Date(0).toISOString(),
            bytes: options.from,
          } satisfies RuntimeSnapshot)
        : options.from
    const mounts = (options.mounts ?? []).map((mount) => this.#mounts.check(mount))
    for (const mount of mounts)
      if (mount.mode === 'readwrite') await this.#approvals.approveReadWriteMount(mount)
    const instance = await this.#backend.create({
      runtimeId: this.id,
      policy: this.policy,
      signal,
      emit: this.emit,
      logger: this.#logger,
      secrets,
      mounts,
      fail: this.fail,
      assertMountAllowed: this.assertMountAllowed,
      ...(from ? { from } : {}),
      ...(this.#determinism ? { deterministic: this.#determinism.backend } : {}),
    })
    this.#lifecycle.attach(instance)
    if (signal.aborted) {
      await instance.destroy().catch(() => {})
      throw signal.reason
    }
    this.#lifecycle.ready()
    const durationMs = Math.round(performance.now() - started)
    this.#timings.createMs = durationMs
    this.emit({
      type: 'runtime.created',
      backend: this.backend,
      durationMs,
      ...(from ? { restoredFrom: from.id } : {}),
    })
  }

  /** Every error leaving the runtime passes through the redactor: message, stack, details, cause chain, toJSON. */
  #guard<T>(work: () => Promise<T>): Promise<T> {
    return withRedactedErrors(this.#redactor, work)
  }

  mount(spec: MountSpec & CallOptions): Promise<Unmount> {
    const mode = spec?.mode ?? 'readonly'
    return traced(SPAN_NAMES.mount, { ...this.#spanAttributes, [SPAN_ATTRIBUTES.mountMode]: mode }, () =>
      this.#guard(() => this.#mounts.mount(spec)),
    )
  }

  execute<N extends CommandName<C>>(
    request: ExecuteRequest<C, N>,
  ): Promise<CommandResult<CommandValue<C, N>>> {
    const command = typeof request?.command === 'string' ? request.command : String(request?.command)
    return traced(
      SPAN_NAMES.execute,
      { ...this.#spanAttributes, [SPAN_ATTRIBUTES.command]: command },
      () => this.#guard(() => this.#pipeline.execute(request)),
      describeCommandSpan,
    )
  }

  observe<T extends RuntimeEventType = RuntimeEventType>(
    options?: ObserveOptions<T>,
  ): AsyncIterableIterator<RuntimeEventOf<T>> {
    return this.#events.hub.observe(options)
  }

  on(type: '*', listener: (event: RuntimeEvent) => void): () => void
  on<T extends RuntimeEventType>(type: T, listener: (event: RuntimeEventOf<T>) => void): () => void
  on(type: RuntimeEventType | '*', listener: (event: never) => void): () => void {
    return this.#events.hub.on(type, listener as (event: RuntimeEvent) => void)
  }

  snapshot(options: CallOptions = {}): Promise<RuntimeSnapshot> {
    return traced(
      SPAN_NAMES.snapshot,
      this.#spanAttributes,
      () => this.#guard(() => this.#snapshot(options)),
      (snapshot) => ({ attributes: { [SPAN_ATTRIBUTES.bytes]: snapshot.bytes.byteLength } }),
    )
  }

  async #snapshot(options: CallOptions): Promise<RuntimeSnapshot> {
    const instance = this.#lifecycle.assert('snapshot')
    const started = performance.now()
    const snapshot = await this.#lifecycle.track(
      this.#lifecycle.withSignal('snapshot', options, (signal) => instance.snapshot({ signal })),
    )
    this.emit({
      type: 'snapshot.created',
      snapshotId: snapshot.id,
      sizeBytes: snapshot.bytes.byteLength,
      durationMs: Math.round(performance.now() - started),
    })
    return snapshot
  }

  checkpoint(name: string, options: CallOptions = {}): Promise<void> {
    return this.#guard(() => this.#checkpoint(name, options))
  }

  async #checkpoint(name: string, options: CallOptions): Promise<void> {
    const instance = this.#lifecycle.assert('checkpoint')
    if (!instance.checkpoint)
      throw new CodeboxError('NOT_SUPPORTED', `Backend "${this.backend}" has no named checkpoints.`)
    const started = performance.now()
    await this.#lifecycle.track(
      this.#lifecycle.withSignal('checkpoint', options, (signal) => instance.checkpoint!(name, { signal })),
    )
    this.emit({ type: 'checkpoint.created', name, durationMs: Math.round(performance.now() - started) })
  }

  restore(name: string, options: CallOptions = {}): Promise<void> {
    return this.#guard(() => this.#restore(name, options))
  }

  async #restore(name: string, options: CallOptions): Promise<void> {
    const instance = this.#lifecycle.assert('restore')
    if (!instance.restore)
      throw new CodeboxError('NOT_SUPPORTED', `Backend "${this.backend}" has no named checkpoints.`)
    const started = performance.now()
    await this.#lifecycle.track(
      this.#lifecycle.withSignal('restore', options, (signal) => instance.restore!(name, { signal })),
    )
    this.emit({ type: 'checkpoint.restored', name, durationMs: Math.round(performance.now() - started) })
  }

  collect(options: CollectOptions): Promise<CollectResult> {
    return traced(
      SPAN_NAMES.collect,
      this.#spanAttributes,
      () => this.#guard(() => this.#collect(options)),
      (result) => ({
        attributes: { [SPAN_ATTRIBUTES.bytes]: result.bytes, [SPAN_ATTRIBUTES.files]: result.files },
      }),
    )
  }

  async #collect(options: CollectOptions): Promise<CollectResult> {
    const instance = this.#lifecycle.assert('collect', ['ready', 'failed'])
    const started = performance.now()
    const result = await this.#lifecycle.withSignal('collect', options, async (signal) => {
      const contribution = await instance.collect({ signal })
      const snapshot =
        options.includeSnapshot && this.#lifecycle.state === 'ready'
          ? await this.#snapshot(options)
          : undefined
      const hub = this.#events.hub
      return collectBundle({
        options,
        ...(this.#determinism ? { identity: this.#determinism.nextBundle(this.id) } : {}),
        redactor: this.#redactor,
        provenance: instance.provenance,
        policy: this.policy,
        policyDigest: this.policyDigest,
        enforcement: instance.enforcement,
        inputs: {
          ...this.#inputs,
          mounts: [
            ...((this.#inputs.mounts as readonly unknown[] | undefined) ?? []),
            ...this.#mounts.records.map((mount) => ({ ...mount })),
          ],
          metadata: this.metadata,
        },
        commands: this.#history.records,
        events: hub.history,
        mail: this.#mailbox.messages,
        dropped: {
          commands: this.#history.dropped,
          events: { records: hub.droppedFromHistory, bytes: hub.droppedHistoryBytes },
          mail: this.#mailbox.dropped,
        },
        diagnostics: [...this.#events.diagnostics, ...(contribution.diagnostics ?? [])],
        credentials: this.credentials,
        contribution,
        timings: this.#timings,
        ...(snapshot ? { snapshot } : {}),
      })
    })
    this.emit({
      type: 'artifacts.collected',
      path: result.path,
      bundleId: result.bundleId,
      durationMs: Math.round(performance.now() - started),
    })
    return result
  }

  destroy(reason: 'destroy' | 'process-exit' | 'signal' | 'create-failed' = 'destroy'): Promise<void> {
    return traced(SPAN_NAMES.destroy, { ...this.#spanAttributes, [SPAN_ATTRIBUTES.status]: reason }, () =>
      this.#destroy(reason),
    )
  }

  #destroy(reason: 'destroy' | 'process-exit' | 'signal' | 'create-failed'): Promise<void> {
    return this.#lifecycle.destroy({
      release: async () => {
        try {
          await this.#lifecycle.instance?.destroy()
        } catch (error) {
          this.#logger.warn?.(
            `[codebox ${this.id}] backend destroy failed: ${this.#redactor.redactText(messageOf(error))}`,
          )
        }
      },
      destroyed: (wasFailed) => {
        this.emit({
          type: 'runtime.destroyed',
          reason: wasFailed && reason === 'destroy' ? 'failed' : reason,
        })
        this.#events.hub.close()
        runtimeRegistry.delete(this)
        this.#logger.debug?.(`[codebox ${this.id}] destroyed`)
      },
    })
  }

  destroySync(): void {
    this.#lifecycle.instance?.destroySync?.()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy()
  }
}

/** The command ids of a deterministic runtime. */
function commandIds(determinism: RuntimeDeterminism, runtimeId: string): (index: number) => string {
  return (index) => determinism.commandId(runtimeId, index)
}
