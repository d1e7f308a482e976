import { commandMatches } from './command-pattern.js'
import type { RuntimePolicy } from './policy-schema.js'

/** What `onApproval` is asked to approve. Everything in it has passed the redactor. */
export interface ApprovalRequest {
  /** `command`: a command needs approval; `write`: a command that writes needs approval. */
  readonly kind: 'command' | 'write'
  /** The command name, e.g. `wordpress.run-php`. */
  readonly command?: string
  /** Human description of what will happen, already redacted. */
  readonly description: string
  /** The command arguments, already redacted. */
  readonly args?: Readonly<Record<string, unknown>>
}

/**
 * The answer of an `onApproval` callback: `true` / `{ approved: true }` approves; anything else denies.
 * A reason, if given, is recorded with the denial.
 */
export type ApprovalDecision = boolean | { readonly approved: boolean; readonly reason?: string }

/** The callback given to `createRuntime({ onApproval })`. */
export type ApprovalHandler = (request: ApprovalRequest) => ApprovalDecision | Promise<ApprovalDecision>

/** What {@link approvalRequired} needs to know about a pending command. */
export interface ApprovalSubject {
  /** The command name. */
  readonly command: string
  /** Whether the command writes (to the site, the database or mounted files). */
  readonly writes: boolean
}

/**
 * Whether `policy.approvals` requires approval for a command:
 * - `never`: no;
 * - `on-write`: when the command writes;
 * - `on-command` with `commands`: when one of them (exact or `prefix.*`) matches;
 * - `on-command` without `commands`: always.
 *
 * When approval is required and no `onApproval` callback was given, the command must be denied.
 *
 * @param policy - the effective policy.
 * @param subject - the command and whether it writes.
 */
export function approvalRequired(
  policy: Pick<RuntimePolicy, 'approvals'>,
  subject: ApprovalSubject,
): boolean {
  const { mode, commands } = policy.approvals
  switch (mode) {
    case 'never':
      return false
    case 'on-write':
      return subject.writes
    case 'on-command':
      return commands === undefined || commands.some((pattern) => commandMatches(pattern, subject.command))
  }
}

/**
 * Reads an {@link ApprovalDecision}: true only for `true` or `{ approved: true }`. Anything else, including
 * malformed answers, denies.
 */
export function isApproved(decision: unknown): boolean {
  if (decision === true) return true
  return (
    typeof decision === 'object' &&
    decision !== null &&
    (decision as { approved?: unknown }).approved === true
  )
}
