import type { Redactor } from '@codebox/artifacts'
import {
  type ApprovalDecision,
  type ApprovalHandler,
  type ApprovalRequest,
  approvalRequired,
  type RuntimePolicy,
} from '@codebox/policy'
import type { MountSpec } from './backend.js'
import { CodeboxError, messageOf } from './errors.js'
import type { RuntimeEventInput } from './events.js'

/** What an approval came to, with a reason fit for a result message. */
export interface ApprovalOutcome {
  readonly approved: boolean
  readonly reason: string
}

/**
 * Asks the caller's `onApproval` before whatever the policy puts under approval, with a redacted request, and
 * emits `approval.requested` / `approval.decided`. No callback, a rejection or a throwing callback all deny.
 * Internal to runtime-core.
 */
export class ApprovalGate {
  readonly #policy: RuntimePolicy
  readonly #redactor: Redactor
  readonly #emit: (event: RuntimeEventInput) => void
  readonly #onApproval: ApprovalHandler | undefined

  constructor(init: {
    policy: RuntimePolicy
    redactor: Redactor
    emit: (event: RuntimeEventInput) => void
    onApproval: ApprovalHandler | undefined
  }) {
    this.#policy = init.policy
    this.#redactor = init.redactor
    this.#emit = init.emit
    this.#onApproval = init.onApproval
  }

  /**
   * A read-write mount is a write: under `on-write` approvals (or `on-command` naming `runtime.mount`) ask first,
   * both for mounts given to createRuntime and for runtime.mount. Throws `APPROVAL_DENIED` when refused.
   */
  async approveReadWriteMount(mount: Required<MountSpec>): Promise<void> {
    if (!approvalRequired(this.#policy, { command: 'runtime.mount', writes: true })) return
    const decision = await this.ask({
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

  /** Asks `onApproval` (the description redacted first) and reports the decision as events. */
  async ask(request: ApprovalRequest): Promise<ApprovalOutcome> {
    const description = this.#redactor.redactText(request.description)
    const safeRequest = { ...request, description }
    this.#emit({
      type: 'approval.requested',
      kind: request.kind,
      description,
      ...(request.command ? { command: request.command } : {}),
    })
    let decision: ApprovalOutcome
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
    this.#emit({
      type: 'approval.decided',
      kind: request.kind,
      approved: decision.approved,
      ...(request.command ? { command: request.command } : {}),
    })
    return decision
  }
}
