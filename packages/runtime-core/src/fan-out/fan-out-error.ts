import { createRedactor } from '@codebox/artifacts'
import { CodeboxError, messageOf } from '../errors.js'

/** Where in its life a variant failed. */
export type FanOutPhase = 'queued' | 'create' | 'run' | 'collect'

/**
 * One variant of a fan-out failed or was cancelled; the others went on. `variant` names it and `phase` says where.
 * Codes: `FAN_OUT_VARIANT_FAILED` (its runtime could not be created, its run threw, or its bundle could not be
 * written) and `FAN_OUT_VARIANT_CANCELLED` (the fan-out was aborted before it finished).
 */
export class FanOutVariantError extends CodeboxError {
  /** The variant's name. */
  readonly variant: string
  /** Where it failed: `queued` (never started), `create`, `run` or `collect`. */
  readonly phase: FanOutPhase

  constructor(
    code: 'FAN_OUT_VARIANT_FAILED' | 'FAN_OUT_VARIANT_CANCELLED',
    variant: string,
    phase: FanOutPhase,
    cause: unknown,
  ) {
    const what =
      code === 'FAN_OUT_VARIANT_CANCELLED'
        ? `was cancelled ${phase === 'queued' ? 'before it started' : `while ${PHASE_VERBS[phase]}`}`
        : `failed while ${PHASE_VERBS[phase]}`
    // Errors from the runtime are already redacted with its secrets; whatever `run` threw itself is at least
    // cleared of credential shapes before it becomes part of this message and of the settled event.
    const reason = shapeRedactor.redactText(messageOf(cause))
    super(code, `Variant "${variant}" ${what}: ${reason}`, {
      cause,
      details: { variant, phase, ...(codeOf(cause) ? { causeCode: codeOf(cause) } : {}) },
    })
    this.variant = variant
    this.phase = phase
  }
}

const PHASE_VERBS: Record<FanOutPhase, string> = {
  queued: 'queued',
  create: 'creating its runtime',
  run: 'running',
  collect: 'writing its bundle',
}

const shapeRedactor = createRedactor()

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}
