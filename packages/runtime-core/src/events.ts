import type { MailMessage } from './mail-message.js'

/** Fields every event carries. */
export interface RuntimeEventBase {
  /** Id of the runtime that emitted the event. */
  readonly runtimeId: string
  /** Position in this runtime's event sequence, starting at 1. */
  readonly seq: number
  /** ISO-8601 time the event was emitted. */
  readonly time: string
}

/** Severity used by `diagnostic` and `log` events. */
export type Severity = 'error' | 'warning' | 'info'

/** Log levels used by `log` events. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** Terminal statuses of a command. */
export type CommandStatus = 'ok' | 'failed' | 'timed-out' | 'aborted' | 'denied'

/**
 * The payload of each event type, keyed by its dotted `type`. Backends emit payloads; runtime-core adds
 * {@link RuntimeEventBase} and passes every event through the redactor before anyone sees it.
 */
export interface RuntimeEventPayloads {
  'runtime.created': { readonly backend: string; readonly durationMs: number; readonly restoredFrom?: string }
  'runtime.progress': { readonly phase: string; readonly fraction: number; readonly message?: string }
  'runtime.failed': { readonly reason: string }
  'runtime.destroyed': { readonly reason: 'destroy' | 'process-exit' | 'signal' | 'failed' | 'create-failed' }
  'mount.added': {
    readonly mountId: string
    readonly source: string
    readonly target: string
    readonly mode: 'readonly' | 'readwrite'
  }
  'mount.removed': { readonly mountId: string; readonly target: string }
  'command.started': {
    readonly commandId: string
    readonly index: number
    readonly command: string
    readonly args: unknown
  }
  'command.output': {
    readonly commandId: string
    readonly stream: 'stdout' | 'stderr'
    readonly chunk: string
  }
  'command.finished': {
    readonly commandId: string
    readonly index: number
    readonly command: string
    readonly status: CommandStatus
    readonly exitCode: number | null
    readonly durationMs: number
    /** Peak memory of the command's PHP requests in bytes, when the backend measured it. */
    readonly peakMemoryBytes?: number
  }
  'approval.requested': {
    readonly kind: 'command' | 'write'
    readonly description: string
    readonly command?: string
  }
  'approval.decided': {
    readonly kind: 'command' | 'write'
    readonly approved: boolean
    readonly command?: string
  }
  'snapshot.created': { readonly snapshotId: string; readonly sizeBytes: number; readonly durationMs: number }
  'checkpoint.created': { readonly name: string; readonly durationMs: number }
  'checkpoint.restored': { readonly name: string; readonly durationMs: number }
  'artifacts.collected': { readonly path: string; readonly bundleId: string; readonly durationMs: number }
  'network.blocked': { readonly host: string; readonly port?: number; readonly via: string }
  /**
   * The sandbox sent a message and it was captured instead of delivered. runtime-core adds `command` and
   * `commandIndex` when exactly one command was running; the message is kept for `runtime.mail()` and `mail.jsonl`.
   */
  'mail.captured': MailMessage & { readonly command?: string; readonly commandIndex?: number }
  diagnostic: {
    readonly severity: Severity
    readonly message: string
    readonly code?: string
    readonly phase?: string
    readonly command?: string
    readonly file?: string
    readonly line?: number
  }
  log: { readonly level: LogLevel; readonly message: string; readonly source: string }
  'events.dropped': { readonly count: number }
}

/** Every event type name. */
export type RuntimeEventType = keyof RuntimeEventPayloads

/** An event of one type: its payload plus the common base and its `type`. */
export type RuntimeEventOf<T extends RuntimeEventType> = RuntimeEventBase & {
  readonly type: T
} & RuntimeEventPayloads[T]

/** The discriminated union of all runtime events, keyed by `type`. */
export type RuntimeEvent = { [T in RuntimeEventType]: RuntimeEventOf<T> }[RuntimeEventType]

/** What a backend hands to `emit`: an event without the base fields. */
export type RuntimeEventInput = {
  [T in RuntimeEventType]: { readonly type: T } & RuntimeEventPayloads[T]
}[RuntimeEventType]

/** Every event type, for validation and tests. */
export const RUNTIME_EVENT_TYPES: readonly RuntimeEventType[] = [
  'runtime.created',
  'runtime.progress',
  'runtime.failed',
  'runtime.destroyed',
  'mount.added',
  'mount.removed',
  'command.started',
  'command.output',
  'command.finished',
  'approval.requested',
  'approval.decided',
  'snapshot.created',
  'checkpoint.created',
  'checkpoint.restored',
  'artifacts.collected',
  'network.blocked',
  'mail.captured',
  'diagnostic',
  'log',
  'events.dropped',
]
