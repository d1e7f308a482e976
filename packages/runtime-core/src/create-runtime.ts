import { BoundedBuffer, createRedactor, type Redactor } from '@codebox/artifacts'
import {
  type ApprovalDecision,
  type ApprovalRequest,
  approvalRequired,
  assertMountAllowed as assertPolicyMountAllowed,
  assertRuntimeCommandAllowed,
  type ConnectorCredentialEnvelope,
  parsePolicy,
  policyDigest,
  RuntimeCommandPolicyViolationError,
  type RuntimePolicy,
  resolveConnectorCredentials,
} from '@codebox/policy'
import { nanoid } from 'nanoid'
import { z } from 'zod'
import type {
  BackendInstance,
  MountSpec,
  RuntimeBackend,
  RuntimeDiagnostic,
  RuntimeProvenance,
  RuntimeSnapshot,
} from './backend.js'
import { collectBundle } from './collect-bundle.js'
import { CommandHistory } from './command-history.js'
import type { CommandCatalogue, CommandName, CommandValue } from './commands.js'
import {
  AbortedError,
  CodeboxError,
  CommandFailedError,
  isCodeboxError,
  type RuntimeState,
  RuntimeStateError,
  TimeoutError,
  UnknownCommandError,
  ValidationError,
} from './errors.js'
import { EventHub, type ObserveOptions } from './event-hub.js'
import type {
  CommandStatus,
  RuntimeEvent,
  RuntimeEventInput,
  RuntimeEventOf,
  RuntimeEventType,
} from './events.js'
import { parseKeyValueArgs, toValidationIssues } from './key-value-args.js'
import { type Logger, silentLogger } from './logger.js'
import { redactError } from './redact-error.js'
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
import { runtimeRegistry } from './runtime-registry.js'

/** Default deadline of `createRuntime()`. */
export const DEFAULT_CREATE_TIMEOUT_MS = 120_000
/** Default deadline of a command. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000
/** How long a backend may take to settle after its signal fired before the runtime is declared failed. */
export const ABORT_GRACE_MS = 1_000
/** Output kept per stream per command; the rest is counted, not kept. */
export const MAX_OUTPUT_BYTES = 1024 * 1024

/** The policy error behind each command result denied by `commands.allow`, thrown under `throwOnFailure`. */
const policyViolations = new WeakMap<object, RuntimeCommandPolicyViolationError>()

const MountSpecSchema = z.strictObject({
  source: z.string().min(1, 'give the host path to mount'),
  target: z
    .string()
    .min(1)
    .refine(
      (value) => value.startsWith('/'),
      'must be an absolute path inside the runtime, e.g. /wordpress/wp-content/plugins/x',
    ),
  mode: z.enum(['readonly', 'readwrite']).default('readonly'),
  signal: z.instanceof(AbortSignal).optional(),
  timeoutMs: z.number().int().positive().optional(),
})

const CreateOptionsSchema = z.object({
  backend: z.custom<RuntimeBackend>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as RuntimeBackend).create === 'function' &&
      typeof (value as RuntimeBackend).commands === 'object',
    'pass a backend instance, e.g. backend: playground()',
  ),
  signal: z.instanceof(AbortSignal).optional(),
  timeoutMs: z.number().int().positive().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  mounts: z.array(MountSpecSchema.omit({ signal: true, timeoutMs: true })).optional(),
  connectors: z
    .array(z.strictObject({ name: z.string().min(1), secrets: z.array(z.string().min(1)) }))
    .optional(),
  onApproval: z.function().optional(),
  secretProvider: z.function().optional(),
  cleanupOnExit: z.boolean().optional(),
})

function validate<T>(schema: z.ZodType<T>, value: unknown, code: string, subject: string, root = '$'): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new ValidationError(code, subject, toValidationIssues(parsed.error, root))
  return parsed.data
}

/** Normalises a path inside the runtime (posix), refusing `..` segments. */
function normaliseTarget(target: string): string {
  const parts = target.split('/').filter((part) => part !== '' && part !== '.')
  if (parts.includes('..')) {
    throw new ValidationError('MOUNT_INVALID', 'mount', [
      { path: '$.target', message: 'must not contain ".." segments; give the final absolute path' },
    ])
  }
  return `/${parts.join('/')}`
}

function isAbsoluteHostPath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)
}

type Settled<T> = { kind: 'settled'; value: T } | { kind: 'threw'; error: unknown } | { kind: 'unresponsive' }

/** Waits for `work`; once `signal` fires, waits at most `graceMs` more. */
function settleWithGrace<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const onAbort = () => {
      timer = setTimeout(() => resolve({ kind: 'unresponsive' }), graceMs)
    }
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => resolve({ kind: 'settled', value }),
      (error: unknown) => resolve({ kind: 'threw', error }),
    )
    void work
      .finally(() => {
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
      })
      .catch(() => {})
  })
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

class RuntimeImpl<C extends CommandCatalogue> implements Runtime<C> {
  readonly id: string
  readonly backend: string
  readonly policy: RuntimePolicy
  readonly policyDigest: string
  readonly metadata: Readonly<Record<string, unknown>>
  readonly credentials: readonly ConnectorCredentialEnvelope[]
  readonly #backend: RuntimeBackend<C>
  readonly #logger: Logger
  readonly #redactor: Redactor
  readonly #hub: EventHub
  readonly #lifetime = new AbortController()
  readonly #history = new CommandHistory()
  readonly #diagnostics: RuntimeDiagnostic[] = []
  /** Commands dispatched to the backend and not finished yet, by id: diagnostics raised meanwhile belong to them. */
  readonly #running = new Map<string, { readonly index: number; readonly command: string }>()
  readonly #inflight = new Set<Promise<unknown>>()
  readonly #onApproval: CreateRuntimeOptions<C>['onApproval']
  readonly #inputs: Record<string, unknown>
  /** Mounts made with `runtime.mount()`, in order, for the bundle's inputs. */
  readonly #runtimeMounts: {
    source: string
    target: string
    mode: string
    added: 'runtime'
    removed: boolean
  }[] = []
  #instance: BackendInstance | undefined
  #state: RuntimeState = 'creating'
  #destroying: Promise<void> | undefined
  #nextIndex = 0
  readonly #timings: Record<string, number> = {}

  constructor(init: {
    id: string
    backend: RuntimeBackend<C>
    policy: RuntimePolicy
    logger: Logger
    redactor: Redactor
    metadata: Readonly<Record<string, unknown>>
    credentials: readonly ConnectorCredentialEnvelope[]
    onApproval: CreateRuntimeOptions<C>['onApproval']
    inputs: Record<string, unknown>
  }) {
    this.id = init.id
    this.#backend = init.backend
    this.backend = init.backend.name
    this.policy = init.policy
    this.policyDigest = policyDigest(init.policy)
    this.#logger = init.logger
    this.#redactor = init.redactor
    this.metadata = init.metadata
    this.credentials = init.credentials
    this.#onApproval = init.onApproval
    this.#inputs = init.inputs
    this.#hub = new EventHub(init.id, (event) => this.#redactor.redactJson(event))
  }

  get state(): RuntimeState {
    return this.#state
  }

  get provenance(): RuntimeProvenance {
    return (
      this.#instance?.provenance ?? { backend: { name: this.backend, version: 'unknown' }, components: [] }
    )
  }

  get commands(): readonly CommandName<C>[] {
    return Object.keys(this.#backend.commands) as CommandName<C>[]
  }

  get diagnostics(): readonly RuntimeDiagnostic[] {
    return this.#diagnostics
  }

  get history(): readonly CommandRecord[] {
    return this.#history.records
  }

  /**
   * Emits through the hub (stamping and redaction happen there). A diagnostic raised while exactly one command is
   * running belongs to that command (backends often report through the create context, not the command's).
   */
  emit = (event: RuntimeEventInput): void => {
    // Only a diagnostic needs an owner; every other event (each output chunk among them) skips the lookup.
    if (event.type !== 'diagnostic' || this.#running.size !== 1) {
      this.#emitFrom(event, undefined)
      return
    }
    const [only] = this.#running.values()
    this.#emitFrom(event, only)
  }

  /**
   * Emits an event; a diagnostic is also recorded, with the command it came from (`from`) as its `command` and
   * `executionIndex`. Its `exitCode` is filled in when that command finishes.
   */
  #emitFrom(
    event: RuntimeEventInput,
    from: { readonly index: number; readonly command: string } | undefined,
  ): void {
    const emitted = this.#hub.emit(event)
    if (emitted?.type !== 'diagnostic') return
    const owner =
      from && (emitted.command === undefined || emitted.command === from.command) ? from : undefined
    this.#diagnostics.push({
      severity: emitted.severity,
      phase:
        emitted.phase === 'setup' || emitted.phase === 'health-probe' || emitted.phase === 'boot'
          ? emitted.phase
          : 'runtime',
      name: emitted.code ?? 'runtime',
      command: emitted.command ?? owner?.command ?? null,
      exitCode: null,
      message: emitted.file ? `${emitted.message} (${emitted.file}:${emitted.line ?? '?'})` : emitted.message,
      executionIndex: owner?.index ?? null,
    })
  }

  /** Called by the backend when its instance can no longer be used. */
  fail = (reason: string): void => {
    if (this.#state !== 'ready' && this.#state !== 'creating') return
    this.#state = 'failed'
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
    const mounts = (options.mounts ?? []).map((mount) => this.#checkMount(mount))
    for (const mount of mounts) if (mount.mode === 'readwrite') await this.#approveReadWriteMount(mount)
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
    })
    this.#instance = instance
    if (signal.aborted) {
      await instance.destroy().catch(() => {})
      throw signal.reason
    }
    this.#state = 'ready'
    const durationMs = Math.round(performance.now() - started)
    this.#timings.createMs = durationMs
    this.emit({
      type: 'runtime.created',
      backend: this.backend,
      durationMs,
      ...(from ? { restoredFrom: from.id } : {}),
    })
  }

  #assertState(operation: string, allowed: readonly RuntimeState[] = ['ready']): BackendInstance {
    if (!allowed.includes(this.#state) || !this.#instance) throw new RuntimeStateError(operation, this.#state)
    return this.#instance
  }

  #checkMount(spec: MountSpec): Required<MountSpec> {
    const parsed = validate(MountSpecSchema, spec, 'MOUNT_INVALID', 'mount')
    const mount = { source: parsed.source, target: normaliseTarget(parsed.target), mode: parsed.mode }
    // Absolute sources are checked here; the backend checks again once it has resolved the real path
    // (relative sources and symlinks), through context.assertMountAllowed.
    if (isAbsoluteHostPath(mount.source)) this.assertMountAllowed(mount.source, mount.mode)
    return mount
  }

  /** Throws `POLICY_MOUNT_DENIED` unless the policy lets `source` (an absolute, real host path) be mounted. */
  assertMountAllowed = (source: string, mode: 'readonly' | 'readwrite'): void => {
    assertPolicyMountAllowed(this.policy.filesystem, { source, mode })
  }

  /** Runs `work` with a deadline and the caller's and the runtime's signals combined. */
  async #withSignal<T>(
    operation: string,
    options: CallOptions,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const signals = [this.#lifetime.signal]
    if (options.signal) signals.push(options.signal)
    if (options.timeoutMs !== undefined) signals.push(AbortSignal.timeout(options.timeoutMs))
    const signal = AbortSignal.any(signals)
    if (signal.aborted) throw new AbortedError(operation, signal.reason)
    try {
      return await work(signal)
    } catch (error) {
      if (signal.aborted && !(error instanceof CodeboxError)) {
        if (options.timeoutMs !== undefined && !options.signal?.aborted && !this.#lifetime.signal.aborted) {
          throw new TimeoutError(operation, options.timeoutMs)
        }
        throw new AbortedError(operation, signal.reason)
      }
      throw error
    }
  }

  /** Every error leaving the runtime passes through the redactor: message, stack, details, cause chain, toJSON. */
  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw redactError(error, this.#redactor)
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inflight.add(promise)
    void promise.finally(() => this.#inflight.delete(promise)).catch(() => {})
    return promise
  }

  mount(spec: MountSpec & CallOptions): Promise<Unmount> {
    return this.#guard(() => this.#mount(spec))
  }

  async #mount(spec: MountSpec & CallOptions): Promise<Unmount> {
    const instance = this.#assertState('mount')
    const mount = this.#checkMount(spec)
    if (mount.mode === 'readwrite') await this.#approveReadWriteMount(mount)
    const made = await this.#track(
      this.#withSignal('mount', spec, (signal) => instance.mount(mount, { signal })),
    )
    this.emit({
      type: 'mount.added',
      mountId: made.id,
      source: made.source,
      target: made.target,
      mode: made.mode,
    })
    // A bundle's inputs list every mount the run had, not only those given to createRuntime.
    const input: { source: string; target: string; mode: string; added: 'runtime'; removed: boolean } = {
      source: made.source,
      target: made.target,
      mode: made.mode,
      added: 'runtime',
      removed: false,
    }
    this.#runtimeMounts.push(input)
    let removed: Promise<void> | undefined
    const unmount = () => {
      removed ??= this.#guard(async () => {
        if (this.#state === 'destroyed' || this.#state === 'destroying') return
        await made.unmount()
        input.removed = true
        this.emit({ type: 'mount.removed', mountId: made.id, target: made.target })
      })
      return removed
    }
    const { unmount: _drop, ...info } = made
    return Object.assign(unmount, { mount: Object.freeze(info) })
  }

  /**
   * A read-write mount is a write: under `on-write` approvals (or `on-command` naming `runtime.mount`) ask first,
   * both for mounts given to createRuntime and for runtime.mount.
   */
  async #approveReadWriteMount(mount: Required<MountSpec>): Promise<void> {
    if (!approvalRequired(this.policy, { command: 'runtime.mount', writes: true })) return
    const decision = await this.#requireApproval({
      kind: 'write',
      description: `mount ${mount.source} read-write at ${mount.target}`,
    })
    if (!decision.approved) {
      throw new CodeboxError(
        'APPROVAL_DENIED',
        `Read-write mount at ${mount.target} was not approved: ${decision.reason}`,
        { details: { target: mount.target } },
      )
    }
  }

  async #requireApproval(request: ApprovalRequest): Promise<{ approved: boolean; reason: string }> {
    const description = this.#redactor.redactText(request.description)
    const safeRequest = { ...request, description }
    this.emit({
      type: 'approval.requested',
      kind: request.kind,
      description,
      ...(request.command ? { command: request.command } : {}),
    })
    let decision: { approved: boolean; reason: string }
    if (!this.#onApproval) {
      decision = {
        approved: false,
        reason: 'the policy requires approval and no onApproval callback was given',
      }
    } else {
      try {
        const answer: ApprovalDecision = await this.#onApproval(Object.freeze(safeRequest))
        decision =
          typeof answer === 'boolean'
            ? { approved: answer, reason: answer ? 'approved' : 'rejected by onApproval' }
            : {
                approved: answer.approved === true,
                reason: answer.reason ?? (answer.approved ? 'approved' : 'rejected'),
              }
      } catch (error) {
        decision = {
          approved: false,
          reason: `onApproval threw: ${this.#redactor.redactText(messageOf(error))}`,
        }
      }
    }
    this.emit({
      type: 'approval.decided',
      kind: request.kind,
      approved: decision.approved,
      ...(request.command ? { command: request.command } : {}),
    })
    return decision
  }

  execute<N extends CommandName<C>>(
    request: ExecuteRequest<C, N>,
  ): Promise<CommandResult<CommandValue<C, N>>> {
    return this.#guard(() => this.#execute(request))
  }

  async #execute<N extends CommandName<C>>(
    request: ExecuteRequest<C, N>,
  ): Promise<CommandResult<CommandValue<C, N>>> {
    const instance = this.#assertState('execute')
    const name = request.command
    const definition = this.#backend.commands[name]
    if (!definition) throw new UnknownCommandError(String(name), this.commands)
    const rawArgs: unknown = Array.isArray(request.args)
      ? parseKeyValueArgs(request.args as readonly string[], definition.args)
      : (request.args ?? {})
    const args = validate(definition.args, rawArgs, 'COMMAND_INVALID_ARGS', `arguments of ${name}`, '$.args')
    if (request.timeoutMs !== undefined && (!Number.isInteger(request.timeoutMs) || request.timeoutMs <= 0)) {
      throw new ValidationError('COMMAND_INVALID_ARGS', 'execute options', [
        { path: '$.timeoutMs', message: 'must be a positive integer number of milliseconds' },
      ])
    }
    const run = this.#track(this.#run(instance, name, args, definition.writes === true, request))
    const result = await run
    if (request.throwOnFailure && result.status !== 'ok') {
      // A policy denial throws the policy's own typed error (code, command, policy digest, toJSON()).
      const violation = policyViolations.get(result)
      if (violation) throw violation
      throw new CommandFailedError(name, result.status, result.message, result)
    }
    return result as CommandResult<CommandValue<C, N>>
  }

  async #run(
    instance: BackendInstance,
    command: string,
    args: unknown,
    writes: boolean,
    request: CallOptions,
  ): Promise<CommandResult> {
    const id = nanoid()
    const index = this.#nextIndex++
    const startedAt = new Date().toISOString()
    const started = performance.now()
    const redactedArgs = this.#redactor.redactJson(args)
    const stdout = new BoundedBuffer({ maxBytes: MAX_OUTPUT_BYTES })
    const stderr = new BoundedBuffer({ maxBytes: MAX_OUTPUT_BYTES })
    const streamed = { stdout: false, stderr: false }
    this.emit({ type: 'command.started', commandId: id, index, command, args: redactedArgs })

    const finish = (
      status: CommandStatus,
      exitCode: number | null,
      extra: {
        value?: unknown
        message?: string
        code?: string
        timeoutMs?: number
        reason?: 'policy' | 'approval'
      },
    ): CommandResult => {
      const out = stdout.toBoundedText({ redactor: this.#redactor })
      const err = stderr.toBoundedText({ redactor: this.#redactor })
      const durationMs = Math.round(performance.now() - started)
      const message = extra.message === undefined ? undefined : this.#redactor.redactText(extra.message)
      this.#running.delete(id)
      this.#diagnostics.forEach((diagnostic, at) => {
        if (diagnostic.executionIndex === index && diagnostic.exitCode === null && exitCode !== null) {
          this.#diagnostics[at] = { ...diagnostic, exitCode }
        }
      })
      const base = {
        id,
        index,
        command,
        exitCode,
        stdout: out.text,
        stderr: err.text,
        stdoutBytes: out.totalBytes,
        stderrBytes: err.totalBytes,
        truncated: out.truncated || err.truncated,
        startedAt,
        durationMs,
      }
      this.#history.push(
        Object.freeze({
          id,
          index,
          command,
          args: redactedArgs,
          status,
          exitCode,
          startedAt,
          finishedAt: new Date().toISOString(),
          durationMs,
          stdout: out,
          stderr: err,
          ...(message === undefined ? {} : { error: { code: extra.code ?? status, message } }),
        }),
      )
      this.emit({ type: 'command.finished', commandId: id, index, command, status, exitCode, durationMs })
      const result = {
        ...base,
        status,
        ...(extra.value === undefined ? {} : { value: this.#redactor.redactJson(extra.value) }),
        ...(message === undefined ? {} : { message }),
        ...(extra.code === undefined ? {} : { code: extra.code }),
        ...(extra.timeoutMs === undefined ? {} : { timeoutMs: extra.timeoutMs }),
        ...(extra.reason === undefined ? {} : { reason: extra.reason }),
      }
      return Object.freeze(result) as CommandResult
    }

    try {
      assertRuntimeCommandAllowed(this.policy, command)
    } catch (error) {
      if (!(error instanceof RuntimeCommandPolicyViolationError)) throw error
      const denied = finish('denied', null, { reason: 'policy', code: error.code, message: error.message })
      policyViolations.set(denied, error)
      return denied
    }
    if (approvalRequired(this.policy, { command, writes })) {
      const decision = await this.#requireApproval({
        kind: writes ? 'write' : 'command',
        command,
        description: `run ${command} with ${JSON.stringify(redactedArgs)}`,
        ...(typeof redactedArgs === 'object' && redactedArgs !== null
          ? { args: redactedArgs as Readonly<Record<string, unknown>> }
          : {}),
      })
      if (!decision.approved) {
        return finish('denied', null, {
          reason: 'approval',
          code: 'APPROVAL_DENIED',
          message: `Command "${command}" was not approved: ${decision.reason}`,
        })
      }
    }
    if (request.signal?.aborted) return finish('aborted', null, { message: 'aborted before it started' })

    this.#running.set(id, { index, command })
    const timeoutMs = request.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
    const controller = new AbortController()
    let cause: 'timeout' | 'abort' | 'destroy' | undefined
    const stop = (why: 'timeout' | 'abort' | 'destroy') => () => {
      if (cause) return
      cause = why
      controller.abort(why === 'timeout' ? new TimeoutError(command, timeoutMs) : new AbortedError(command))
    }
    const onCallerAbort = stop('abort')
    const onDestroy = stop('destroy')
    const timer = setTimeout(stop('timeout'), timeoutMs)
    request.signal?.addEventListener('abort', onCallerAbort, { once: true })
    this.#lifetime.signal.addEventListener('abort', onDestroy, { once: true })

    const output = (stream: 'stdout' | 'stderr', chunk: string) => {
      if (controller.signal.aborted && cause) return
      streamed[stream] = true
      ;(stream === 'stdout' ? stdout : stderr).push(chunk)
      this.emit({ type: 'command.output', commandId: id, stream, chunk })
    }
    let settled: Settled<Awaited<ReturnType<BackendInstance['execute']>>>
    try {
      settled = await settleWithGrace(
        Promise.resolve().then(() =>
          instance.execute(command, args, {
            commandId: id,
            index,
            signal: controller.signal,
            output,
            emit: (event) => this.#emitFrom(event, { index, command }),
          }),
        ),
        controller.signal,
        ABORT_GRACE_MS,
      )
    } finally {
      clearTimeout(timer)
      request.signal?.removeEventListener('abort', onCallerAbort)
      this.#lifetime.signal.removeEventListener('abort', onDestroy)
    }

    if (settled.kind === 'unresponsive') {
      this.fail(`backend did not stop "${command}" within ${ABORT_GRACE_MS} ms of its ${cause ?? 'abort'}`)
    }
    if (cause) {
      return cause === 'timeout'
        ? finish('timed-out', null, {
            timeoutMs,
            code: 'OPERATION_TIMED_OUT',
            message: `"${command}" did not finish within ${timeoutMs} ms and was stopped`,
          })
        : finish('aborted', null, {
            code: 'OPERATION_ABORTED',
            message:
              cause === 'destroy'
                ? `"${command}" was stopped because the runtime was destroyed`
                : `"${command}" was aborted`,
          })
    }
    if (settled.kind === 'threw') {
      const code = isCodeboxError(settled.error) ? settled.error.code : undefined
      return finish('failed', null, { message: messageOf(settled.error), ...(code ? { code } : {}) })
    }
    if (settled.kind !== 'settled') return finish('failed', null, { message: 'backend did not answer' })
    const outcome = settled.value
    for (const stream of ['stdout', 'stderr'] as const) {
      const text = outcome[stream]
      if (!streamed[stream] && text) output(stream, text)
    }
    if (outcome.exitCode === 0) return finish('ok', 0, { value: outcome.value })
    return finish('failed', outcome.exitCode, {
      value: outcome.value,
      message: outcome.message ?? `exited with code ${outcome.exitCode}`,
    })
  }

  observe<T extends RuntimeEventType = RuntimeEventType>(
    options?: ObserveOptions<T>,
  ): AsyncIterableIterator<RuntimeEventOf<T>> {
    return this.#hub.observe(options)
  }

  on(type: '*', listener: (event: RuntimeEvent) => void): () => void
  on<T extends RuntimeEventType>(type: T, listener: (event: RuntimeEventOf<T>) => void): () => void
  on(type: RuntimeEventType | '*', listener: (event: never) => void): () => void {
    return this.#hub.on(type, listener as (event: RuntimeEvent) => void)
  }

  snapshot(options: CallOptions = {}): Promise<RuntimeSnapshot> {
    return this.#guard(() => this.#snapshot(options))
  }

  async #snapshot(options: CallOptions): Promise<RuntimeSnapshot> {
    const instance = this.#assertState('snapshot')
    const started = performance.now()
    const snapshot = await this.#track(
      this.#withSignal('snapshot', options, (signal) => instance.snapshot({ signal })),
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
    const instance = this.#assertState('checkpoint')
    if (!instance.checkpoint)
      throw new CodeboxError('NOT_SUPPORTED', `Backend "${this.backend}" has no named checkpoints.`)
    const started = performance.now()
    await this.#track(
      this.#withSignal('checkpoint', options, (signal) => instance.checkpoint!(name, { signal })),
    )
    this.emit({ type: 'checkpoint.created', name, durationMs: Math.round(performance.now() - started) })
  }

  restore(name: string, options: CallOptions = {}): Promise<void> {
    return this.#guard(() => this.#restore(name, options))
  }

  async #restore(name: string, options: CallOptions): Promise<void> {
    const instance = this.#assertState('restore')
    if (!instance.restore)
      throw new CodeboxError('NOT_SUPPORTED', `Backend "${this.backend}" has no named checkpoints.`)
    const started = performance.now()
    await this.#track(this.#withSignal('restore', options, (signal) => instance.restore!(name, { signal })))
    this.emit({ type: 'checkpoint.restored', name, durationMs: Math.round(performance.now() - started) })
  }

  collect(options: CollectOptions): Promise<CollectResult> {
    return this.#guard(() => this.#collect(options))
  }

  async #collect(options: CollectOptions): Promise<CollectResult> {
    const instance = this.#assertState('collect', ['ready', 'failed'])
    const started = performance.now()
    const result = await this.#withSignal('collect', options, async (signal) => {
      const contribution = await instance.collect({ signal })
      const snapshot =
        options.includeSnapshot && this.#state === 'ready' ? await this.#snapshot(options) : undefined
      return collectBundle({
        options,
        redactor: this.#redactor,
        provenance: instance.provenance,
        policy: this.policy,
        policyDigest: this.policyDigest,
        enforcement: instance.enforcement,
        inputs: {
          ...this.#inputs,
          mounts: [
            ...((this.#inputs.mounts as readonly unknown[] | undefined) ?? []),
            ...this.#runtimeMounts.map((mount) => ({ ...mount })),
          ],
          metadata: this.metadata,
        },
        commands: this.#history.records,
        events: this.#hub.history,
        dropped: {
          commands: this.#history.dropped,
          events: { records: this.#hub.droppedFromHistory, bytes: this.#hub.droppedHistoryBytes },
        },
        diagnostics: [...this.#diagnostics, ...(contribution.diagnostics ?? [])],
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
    if (this.#destroying) return this.#destroying
    const wasFailed = this.#state === 'failed'
    this.#state = 'destroying'
    this.#lifetime.abort(new AbortedError('runtime', 'destroyed'))
    this.#destroying = (async () => {
      // In-flight commands settle within the abort grace; never wait forever for them.
      await Promise.race([
        Promise.allSettled([...this.#inflight]),
        new Promise((resolve) => setTimeout(resolve, ABORT_GRACE_MS * 2).unref?.()),
      ])
      try {
        await this.#instance?.destroy()
      } catch (error) {
        this.#logger.warn?.(
          `[codebox ${this.id}] backend destroy failed: ${this.#redactor.redactText(messageOf(error))}`,
        )
      }
      this.#state = 'destroyed'
      this.emit({ type: 'runtime.destroyed', reason: wasFailed && reason === 'destroy' ? 'failed' : reason })
      this.#hub.close()
      runtimeRegistry.delete(this)
      this.#logger.debug?.(`[codebox ${this.id}] destroyed`)
    })()
    return this.#destroying
  }

  destroySync(): void {
    this.#instance?.destroySync?.()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy()
  }
}

/**
 * Creates a runtime on the given backend: validates options and policy, resolves connector credentials (failing
 * closed before anything boots), boots the backend instance and returns a ready {@link Runtime}.
 *
 * @example
 * import { createRuntime } from '@codebox/runtime-core'
 * import { playground } from '@codebox/backend-playground'
 *
 * await using runtime = await createRuntime({
 *   backend: playground(),
 *   policy: { commands: { allow: ['wordpress.*'] } },
 * })
 *
 * @throws ValidationError (`RUNTIME_OPTIONS_INVALID`) naming each bad field,
 *   `PolicyValidationError`, `ConnectorCredentialError`, `OPERATION_TIMED_OUT`, `OPERATION_ABORTED`,
 *   or the backend's own typed error.
 */
export async function createRuntime<C extends CommandCatalogue>(
  options: CreateRuntimeOptions<C>,
): Promise<Runtime<C>> {
  // Secrets are registered as soon as they resolve, so whatever fails later (a backend error echoing PHP output
  // that printed a connector constant, say) is redacted on its way out.
  const redactor = createRedactor()
  try {
    return await startRuntime(options, redactor)
  } catch (error) {
    throw redactError(error, redactor)
  }
}

async function startRuntime<C extends CommandCatalogue>(
  options: CreateRuntimeOptions<C>,
  redactor: Redactor,
): Promise<Runtime<C>> {
  validate(CreateOptionsSchema, options, 'RUNTIME_OPTIONS_INVALID', 'createRuntime options')
  const logger = options.logger ?? silentLogger
  const policy = parsePolicy(options.policy ?? {})
  const { envelopes, secrets } = await resolveConnectorCredentials(options.connectors ?? [], {
    policy,
    ...(options.env ? { env: options.env } : {}),
    ...(options.secretProvider ? { provider: options.secretProvider } : {}),
  })
  const secretValues = new Map<string, string>()
  for (const secret of secrets) {
    redactor.addSecret(secret.name, secret.value)
    secretValues.set(secret.name, secret.value)
  }

  const runtime = new RuntimeImpl<C>({
    id: `rt_${nanoid(12)}`,
    backend: options.backend,
    policy,
    logger,
    redactor,
    metadata: Object.freeze({ ...(options.metadata ?? {}) }),
    credentials: envelopes,
    onApproval: options.onApproval,
    inputs: {
      backend: options.backend.name,
      mounts: (options.mounts ?? []).map(({ source, target, mode }) => ({
        source,
        target,
        mode: mode ?? 'readonly',
      })),
      connectors: (options.connectors ?? []).map(({ name, secrets: names }) => ({
        name,
        secrets: [...names],
      })),
      restoredFrom: options.from ? 'snapshot' : null,
    },
  })
  if (options.cleanupOnExit !== false) runtimeRegistry.add(runtime)

  const timeoutMs = options.timeoutMs ?? DEFAULT_CREATE_TIMEOUT_MS
  const signals = [AbortSignal.timeout(timeoutMs)]
  if (options.signal) signals.push(options.signal)
  const signal = AbortSignal.any(signals)
  try {
    if (signal.aborted) throw signal.reason
    await runtime.start(options, secretValues, signal)
    return runtime
  } catch (error) {
    await runtime.destroy('create-failed')
    if (options.signal?.aborted) throw new AbortedError('createRuntime', options.signal.reason)
    if (signal.aborted) throw new TimeoutError('createRuntime', timeoutMs)
    if (isCodeboxError(error)) throw error
    throw new CodeboxError(
      'RUNTIME_CREATE_FAILED',
      `Backend "${options.backend.name}" failed to create a runtime: ${messageOf(error)}`,
      { cause: error },
    )
  }
}

export type { RuntimeEvent }
