import type { Redactor } from '@codebox/artifacts'
import type { RuntimeDiagnostic } from './backend.js'
import { type EventHistoryLimits, EventHub } from './event-hub.js'
import type { RuntimeEventInput } from './events.js'
import { RUNTIME_RECOVERED } from './runtime-stats.js'

/** The command a diagnostic belongs to: its position among the runtime's commands and its name. */
export interface CommandOwner {
  readonly index: number
  readonly command: string
}

/**
 * A runtime's event side: emits through the {@link EventHub} (stamping and redaction happen there) and records
 * every diagnostic event as a {@link RuntimeDiagnostic}, attributed to the command it came from (a captured mail
 * message is attributed the same way). It knows which
 * commands are running so that a diagnostic a backend raises through its create context still finds its command.
 * Internal to runtime-core.
 */
export class RuntimeEvents {
  readonly hub: EventHub
  readonly #diagnostics: RuntimeDiagnostic[] = []
  /** Commands dispatched to the backend and not finished yet, by id: diagnostics raised meanwhile belong to them. */
  readonly #running = new Map<string, CommandOwner>()

  readonly #onRecovered: () => void

  /**
   * @param limits - the event history's and every `observe()` reader's byte caps.
   * @param onRecovered - called for each diagnostic with code {@link RUNTIME_RECOVERED}: the backend replaced a lost
   * worker and went on.
   */
  constructor(
    runtimeId: string,
    redactor: Redactor,
    limits: Partial<EventHistoryLimits> = {},
    onRecovered: () => void = () => {},
  ) {
    this.hub = new EventHub(runtimeId, (event) => redactor.redactJson(event), limits)
    this.#onRecovered = onRecovered
  }

  /** Diagnostics recorded so far, oldest first (the live array: exit codes are filled in as commands finish). */
  get diagnostics(): readonly RuntimeDiagnostic[] {
    return this.#diagnostics
  }

  /**
   * Emits an event. A diagnostic raised while exactly one command is running belongs to that command (backends
   * often report through the create context, not the command's).
   */
  emit = (event: RuntimeEventInput): void => {
    // Only a diagnostic or a captured message needs an owner; every other event (each output chunk among them)
    // skips the lookup.
    if ((event.type !== 'diagnostic' && event.type !== 'mail.captured') || this.#running.size !== 1) {
      this.emitFrom(event, undefined)
      return
    }
    const [only] = this.#running.values()
    this.emitFrom(event, only)
  }

  /** Emits an event whose strings the caller has already redacted (a command's output, through a stream). */
  emitRedacted(event: RuntimeEventInput): void {
    this.hub.emit(event, { redacted: true })
  }

  /**
   * Emits an event; a diagnostic is also recorded, with the command it came from (`from`) as its `command` and
   * `executionIndex`. Its `exitCode` is filled in when that command finishes.
   */
  emitFrom(event: RuntimeEventInput, from: CommandOwner | undefined): void {
    const emitted = this.hub.emit(
      event.type === 'mail.captured' && from && event.command === undefined
        ? { ...event, command: from.command, commandIndex: from.index }
        : event,
    )
    if (emitted?.type !== 'diagnostic') return
    if (emitted.code === RUNTIME_RECOVERED) this.#onRecovered()
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

  /** Marks a command as dispatched: diagnostics from now on may belong to it. */
  commandDispatched(commandId: string, owner: CommandOwner): void {
    this.#running.set(commandId, owner)
  }

  /** Marks a command as finished and gives its diagnostics its exit code (when it has one). */
  commandFinished(commandId: string, index: number, exitCode: number | null): void {
    this.#running.delete(commandId)
    this.#diagnostics.forEach((diagnostic, at) => {
      if (diagnostic.executionIndex === index && diagnostic.exitCode === null && exitCode !== null) {
        this.#diagnostics[at] = { ...diagnostic, exitCode }
      }
    })
  }
}
