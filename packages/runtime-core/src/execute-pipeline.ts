import { BoundedBuffer, type Redactor } from '@codebox/artifacts'
import {
  approvalRequired,
  assertRuntimeCommandAllowed,
  RuntimeCommandPolicyViolationError,
  type RuntimePolicy,
} from '@codebox/policy'
import { nanoid } from 'nanoid'
import type { ApprovalGate } from './approval-gate.js'
import type { BackendInstance, RuntimeBackend } from './backend.js'
import type { CommandHistory } from './command-history.js'
import type { CommandCatalogue, CommandName, CommandValue } from './commands.js'
import { validate } from './create-options.js'
import {
  AbortedError,
  CommandFailedError,
  isCodeboxError,
  messageOf,
  TimeoutError,
  UnknownCommandError,
  ValidationError,
} from './errors.js'
import type { CommandStatus } from './events.js'
import { parseKeyValueArgs } from './key-value-args.js'
import type { CallOptions, CommandResult, ExecuteRequest } from './runtime.js'
import { ABORT_GRACE_MS, DEFAULT_COMMAND_TIMEOUT_MS, MAX_OUTPUT_BYTES } from './runtime-defaults.js'
import type { RuntimeEvents } from './runtime-events.js'
import type { RuntimeLifecycle } from './runtime-lifecycle.js'
import type { RuntimeCounters } from './runtime-stats.js'

/** The policy error behind each command result denied by `commands.allow`, thrown under `throwOnFailure`. */
const policyViolations = new WeakMap<object, RuntimeCommandPolicyViolationError>()

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

/** What a finished command adds to its result besides status and exit code. */
interface FinishExtra {
  value?: unknown
  peakMemoryBytes?: number | undefined
  message?: string
  code?: string
  timeoutMs?: number
  reason?: 'policy' | 'approval'
}

/** Everything the pipeline works with; the runtime owns each part. */
export interface ExecutePipelineInit<C extends CommandCatalogue> {
  readonly backend: RuntimeBackend<C>
  readonly policy: RuntimePolicy
  readonly redactor: Redactor
  readonly lifecycle: RuntimeLifecycle
  readonly events: RuntimeEvents
  readonly history: CommandHistory
  readonly approvals: ApprovalGate
  /** Declares the runtime failed (a backend that did not stop a command within the grace). */
  readonly fail: (reason: string) => void
  /** The runtime's counters; every finished command is counted by its status. */
  readonly counters: RuntimeCounters
  /** The id of the command at an index, when ids are not random (a deterministic runtime). */
  readonly commandId?: (index: number) => string
}

/**
 * The path of one `runtime.execute()` call: validate the request, then policy → approval → dispatch to the backend
 * (with deadline, caller abort and destroy) → redact → record in the history → emit, and return the result as data.
 * Internal to runtime-core.
 */
export class ExecutePipeline<C extends CommandCatalogue> {
  readonly #init: ExecutePipelineInit<C>
  #nextIndex = 0

  constructor(init: ExecutePipelineInit<C>) {
    this.#init = init
  }

  /** Validates the request and runs it; throws only for a bad request, or a non-ok result under `throwOnFailure`. */
  async execute<N extends CommandName<C>>(
    request: ExecuteRequest<C, N>,
  ): Promise<CommandResult<CommandValue<C, N>>> {
    const { backend, lifecycle } = this.#init
    const instance = lifecycle.assert('execute')
    const name = request.command
    const definition = backend.commands[name]
    if (!definition) {
      throw new UnknownCommandError(String(name), Object.keys(backend.commands))
    }
    const rawArgs: unknown = Array.isArray(request.args)
      ? parseKeyValueArgs(request.args as readonly string[], definition.args)
      : (request.args ?? {})
    const args = validate(definition.args, rawArgs, 'COMMAND_INVALID_ARGS', `arguments of ${name}`, '$.args')
    if (request.timeoutMs !== undefined && (!Number.isInteger(request.timeoutMs) || request.timeoutMs <= 0)) {
      throw new ValidationError('COMMAND_INVALID_ARGS', 'execute options', [
        { path: '$.timeoutMs', message: 'must be a positive integer number of milliseconds' },
      ])
    }
    const run = lifecycle.track(this.#run(instance, name, args, definition.writes === true, request))
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
    const { policy, redactor, lifecycle, events, history, approvals } = this.#init
    const index = this.#nextIndex++
    const id = this.#init.commandId?.(index) ?? nanoid()
    const startedAt = new Date().toISOString()
    const started = performance.now()
    const redactedArgs = redactor.redactJson(args)
    const stdout = new BoundedBuffer({ maxBytes: MAX_OUTPUT_BYTES })
    const stderr = new BoundedBuffer({ maxBytes: MAX_OUTPUT_BYTES })
    const streamed = { stdout: false, stderr: false }
    // Output events are redacted as streams, so a secret split between two chunks is redacted as if joined.
    const outputRedaction = { stdout: redactor.stream(), stderr: redactor.stream() }
    const emitOutput = (stream: 'stdout' | 'stderr', chunk: string): void => {
      if (chunk.length > 0) events.emitRedacted({ type: 'command.output', commandId: id, stream, chunk })
    }
    events.emit({ type: 'command.started', commandId: id, index, command, args: redactedArgs })

    /** Redacts the outputs and the message, records the command, emits `command.finished`: every path ends here. */
    const finish = (status: CommandStatus, exitCode: number | null, extra: FinishExtra): CommandResult => {
      emitOutput('stdout', outputRedaction.stdout.flush())
      emitOutput('stderr', outputRedaction.stderr.flush())
      this.#init.counters.commandFinished(status)
      const out = stdout.toBoundedText({ redactor })
      const err = stderr.toBoundedText({ redactor })
      const durationMs = Math.round(performance.now() - started)
      const peak =
        extra.peakMemoryBytes === undefined ||
        !Number.isSafeInteger(extra.peakMemoryBytes) ||
        extra.peakMemoryBytes < 0
          ? {}
          : { peakMemoryBytes: extra.peakMemoryBytes }
      const message = extra.message === undefined ? undefined : redactor.redactText(extra.message)
      events.commandFinished(id, index, exitCode)
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
        ...peak,
      }
      history.push(
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
          ...peak,
        }),
      )
      events.emit({
        type: 'command.finished',
        commandId: id,
        index,
        command,
        status,
        exitCode,
        durationMs,
        ...peak,
      })
      const result = {
        ...base,
        status,
        ...(extra.value === undefined ? {} : { value: redactor.redactJson(extra.value) }),
        ...(message === undefined ? {} : { message }),
        ...(extra.code === undefined ? {} : { code: extra.code }),
        ...(extra.timeoutMs === undefined ? {} : { timeoutMs: extra.timeoutMs }),
        ...(extra.reason === undefined ? {} : { reason: extra.reason }),
      }
      return Object.freeze(result) as CommandResult
    }

    // 1. policy
    try {
      assertRuntimeCommandAllowed(policy, command)
    } catch (error) {
      if (!(error instanceof RuntimeCommandPolicyViolationError)) throw error
      const denied = finish('denied', null, { reason: 'policy', code: error.code, message: error.message })
      policyViolations.set(denied, error)
      return denied
    }
    // 2. approval
    if (approvalRequired(policy, { command, writes })) {
      const decision = await approvals.ask({
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

    // 3. dispatch, stopped by its deadline, the caller's signal or the runtime's destroy, whichever comes first
    events.commandDispatched(id, { index, command })
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
    lifecycle.signal.addEventListener('abort', onDestroy, { once: true })

    const output = (stream: 'stdout' | 'stderr', chunk: string) => {
      if (controller.signal.aborted && cause) return
      streamed[stream] = true
      ;(stream === 'stdout' ? stdout : stderr).push(chunk)
      emitOutput(stream, outputRedaction[stream].push(chunk))
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
            emit: (event) => events.emitFrom(event, { index, command }),
          }),
        ),
        controller.signal,
        ABORT_GRACE_MS,
      )
    } finally {
      clearTimeout(timer)
      request.signal?.removeEventListener('abort', onCallerAbort)
      lifecycle.signal.removeEventListener('abort', onDestroy)
    }

    // 4. the outcome as data
    if (settled.kind === 'unresponsive') {
      this.#init.fail(
        `backend did not stop "${command}" within ${ABORT_GRACE_MS} ms of its ${cause ?? 'abort'}`,
      )
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
    const { peakMemoryBytes } = outcome
    if (outcome.exitCode === 0) return finish('ok', 0, { value: outcome.value, peakMemoryBytes })
    return finish('failed', outcome.exitCode, {
      value: outcome.value,
      peakMemoryBytes,
      message: outcome.message ?? `exited with code ${outcome.exitCode}`,
      ...(outcome.code === undefined ? {} : { code: outcome.code }),
    })
  }
}
