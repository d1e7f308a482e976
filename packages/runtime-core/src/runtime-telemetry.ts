import { type Attributes, type Span, SpanStatusCode, trace } from '@opentelemetry/api'
import type { CommandResult } from './runtime.js'

/** The tracer name codebox spans are recorded under (`@opentelemetry/api` instrumentation scope). */
export const TRACER_NAME = '@codebox/runtime-core'

/** Names of the spans runtime-core records, one per lifecycle operation. */
export const SPAN_NAMES = Object.freeze({
  create: 'codebox.runtime.create',
  mount: 'codebox.runtime.mount',
  execute: 'codebox.runtime.execute',
  snapshot: 'codebox.runtime.snapshot',
  collect: 'codebox.runtime.collect',
  destroy: 'codebox.runtime.destroy',
})

/**
 * Attribute keys set on codebox spans. Values are names, statuses, counts and durations only: never command
 * arguments, output, paths of the host or secrets.
 */
export const SPAN_ATTRIBUTES = Object.freeze({
  backend: 'codebox.backend',
  runtimeId: 'codebox.runtime.id',
  command: 'codebox.command',
  status: 'codebox.status',
  code: 'codebox.error.code',
  exitCode: 'codebox.exit_code',
  durationMs: 'codebox.duration_ms',
  bytes: 'codebox.bytes',
  mountMode: 'codebox.mount.mode',
  files: 'codebox.files',
})

/** What an operation's outcome adds to its span: attributes, and whether it counts as an error (with a reason). */
export interface SpanOutcome {
  readonly attributes?: Attributes
  readonly error?: string
}

/**
 * Runs `work` inside an active span named `name` (so spans a backend starts nest under it). The span gets
 * `attributes`, the duration, what `describe` says of the result, or the thrown error (recorded with its message and
 * stack; callers pass errors that are already redacted) and an error status. With no tracer provider registered by
 * the application, `@opentelemetry/api` makes all of this a no-op.
 */
export function traced<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  describe?: (value: T) => SpanOutcome,
): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME)
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    const started = performance.now()
    try {
      const value = await work(span)
      const outcome = describe?.(value) ?? {}
      span.setAttributes(outcome.attributes ?? {})
      span.setStatus(
        outcome.error === undefined
          ? { code: SpanStatusCode.OK }
          : { code: SpanStatusCode.ERROR, message: outcome.error },
      )
      return value
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code
      if (typeof code === 'string') span.setAttribute(SPAN_ATTRIBUTES.code, code)
      span.recordException(error instanceof Error ? error : String(error))
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      })
      throw error
    } finally {
      span.setAttribute(SPAN_ATTRIBUTES.durationMs, Math.round(performance.now() - started))
      span.end()
    }
  })
}

/** A command's span: its status, exit code and output size; anything but `ok` is an error status. */
export function describeCommandSpan(result: CommandResult): SpanOutcome {
  return {
    attributes: {
      [SPAN_ATTRIBUTES.status]: result.status,
      ...(result.exitCode === null ? {} : { [SPAN_ATTRIBUTES.exitCode]: result.exitCode }),
      [SPAN_ATTRIBUTES.bytes]: result.stdoutBytes + result.stderrBytes,
      ...('code' in result && typeof result.code === 'string' ? { [SPAN_ATTRIBUTES.code]: result.code } : {}),
    },
    ...(result.status === 'ok' ? {} : { error: `command ${result.status}` }),
  }
}
