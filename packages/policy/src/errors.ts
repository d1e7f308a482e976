/**
 * Typed errors of `@codebox/policy`.
 *
 * Every error carries a stable string `code`, JSON-safe `details`, an optional `cause` and a `toJSON()` that
 * returns `{ name, code, message, details }`. None of them ever holds a secret value: messages and details name
 * secrets, connectors, commands and paths only.
 */

import type { ConnectorCredentialFailure } from './connector-credential-schemas.js'

/** Brand shared by every codebox error class, so `isCodeboxError(e)` works across duplicated package copies. */
const CODEBOX_ERROR_BRAND: unique symbol = Symbol.for('codebox.error') as never

/** A JSON-safe value, as carried in `details`. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue }

/** One problem found while validating a policy or another policy document, located by a JSON path. */
export interface PolicyIssue {
  /** JSON path of the offending value, e.g. `$.network.allowHosts[2]`; `$` is the document itself. */
  readonly path: string
  /** What is wrong and how to fix it. */
  readonly message: string
}

/** Options shared by every {@link PolicyError} constructor. */
export interface PolicyErrorOptions {
  /** JSON-safe context for programs and logs. Never put a secret value here. */
  readonly details?: Readonly<Record<string, JsonValue>>
  /** The underlying error, if any. */
  readonly cause?: unknown
}

/**
 * Base class of every error thrown by `@codebox/policy`.
 *
 * @example
 * ```ts
 * try { parsePolicy(input) } catch (error) {
 *   if (error instanceof PolicyError) console.error(error.code, error.toJSON())
 * }
 * ```
 */
export class PolicyError extends Error {
  /** Brand checked by `isCodeboxError()` in runtime-core. */
  readonly [CODEBOX_ERROR_BRAND] = true
  override name = 'PolicyError'
  /** Stable machine-readable code, e.g. `POLICY_COMMAND_DENIED`. */
  readonly code: string
  /** JSON-safe context; never contains a secret value. */
  readonly details: Readonly<Record<string, JsonValue>>

  /**
   * @param code - stable error code.
   * @param message - human message naming the fix.
   * @param options - details and cause.
   */
  constructor(code: string, message: string, options: PolicyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options.details ?? {}
  }

  /** A JSON-safe description: `{ name, code, message, details }`. */
  toJSON(): { name: string; code: string; message: string; details: Readonly<Record<string, JsonValue>> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details }
  }
}

/** What a {@link PolicyValidationError} was validating. */
export type PolicySubject = 'policy' | 'connectors' | 'approved-plugins'

/**
 * A policy (or a connector declaration list, or an approved-plugins manifest) is invalid.
 * `issues` lists every problem found, each with its JSON path. Code: `POLICY_INVALID`.
 */
export class PolicyValidationError extends PolicyError {
  override name = 'PolicyValidationError'
  /** Every problem found, in document order. */
  readonly issues: readonly PolicyIssue[]
  /** What was being validated. */
  readonly subject: PolicySubject

  /**
   * @param subject - what was validated.
   * @param issues - every problem found (at least one).
   */
  constructor(subject: PolicySubject, issues: readonly PolicyIssue[]) {
    const lines = issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')
    const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`
    super('POLICY_INVALID', `Invalid ${subject} (${count}):\n${lines}`, {
      details: { subject, issues: issues.map((issue) => ({ path: issue.path, message: issue.message })) },
    })
    this.subject = subject
    this.issues = issues
  }
}

/**
 * A command was refused by `policy.commands`. Code: `POLICY_COMMAND_DENIED`.
 * runtime-core records it and returns a result with `status: 'denied'`.
 */
export class RuntimeCommandPolicyViolationError extends PolicyError {
  override name = 'RuntimeCommandPolicyViolationError'
  /** The refused command name. */
  readonly command: string
  /** `sha256:<hex>` digest of the effective policy that refused it. */
  readonly policyDigest: string

  /**
   * @param command - the refused command.
   * @param policyDigest - digest of the effective policy.
   * @param allow - the policy's `commands.allow` list, quoted in the message.
   */
  constructor(command: string, policyDigest: string, allow: readonly string[]) {
    const allowed =
      allow.length === 0 ? 'nothing (the default)' : allow.map((p) => JSON.stringify(p)).join(', ')
    super(
      'POLICY_COMMAND_DENIED',
      `Command ${JSON.stringify(command)} is not allowed by the runtime policy; commands.allow permits ${allowed}. ` +
        `Add ${JSON.stringify(command)} (or a prefix such as ${JSON.stringify(suggestPrefix(command))}) to commands.allow to run it.`,
      { details: { command, policyDigest, allow: [...allow] } },
    )
    this.command = command
    this.policyDigest = policyDigest
  }
}

function suggestPrefix(command: string): string {
  const dot = command.indexOf('.')
  return dot > 0 ? `${command.slice(0, dot)}.*` : '*'
}

/** Why a mount was refused. */
export type MountDenialReason = 'not-absolute' | 'not-declared' | 'mode-not-allowed'

/** A host path may not be mounted with the requested mode under `policy.filesystem`. Code: `POLICY_MOUNT_DENIED`. */
export class FilesystemPolicyViolationError extends PolicyError {
  override name = 'FilesystemPolicyViolationError'
  /** The refused host path. */
  readonly source: string
  /** The requested mode. */
  readonly mode: 'readonly' | 'readwrite'
  /** Why it was refused. */
  readonly reason: MountDenialReason

  /**
   * @param source - the refused host path.
   * @param mode - the requested mode.
   * @param reason - why it was refused.
   * @param message - human message naming the fix.
   */
  constructor(source: string, mode: 'readonly' | 'readwrite', reason: MountDenialReason, message: string) {
    super('POLICY_MOUNT_DENIED', message, { details: { source, mode, reason } })
    this.source = source
    this.mode = mode
    this.reason = reason
  }
}

/** Why a plugin was refused. */
export type PluginDenialReason = 'not-listed' | 'version-not-approved' | 'hash-mismatch'

/** A plugin is not in the approved-plugins manifest (or its version or hash differ). Code: `PLUGIN_NOT_APPROVED`. */
export class PluginNotApprovedError extends PolicyError {
  override name = 'PluginNotApprovedError'
  /** Plugin slug. */
  readonly slug: string
  /** Requested version; `null` for a plugin without one (known by its SHA-256). */
  readonly version: string | null
  /** Why it was refused. */
  readonly reason: PluginDenialReason

  /**
   * @param plugin - the refused plugin.
   * @param reason - why it was refused.
   * @param message - human message naming the fix.
   */
  constructor(
    plugin: { slug: string; version: string | null; sha256: string },
    reason: PluginDenialReason,
    message: string,
  ) {
    super('PLUGIN_NOT_APPROVED', message, {
      details: { slug: plugin.slug, version: plugin.version, sha256: plugin.sha256, reason },
    })
    this.slug = plugin.slug
    this.version = plugin.version
    this.reason = reason
  }
}

/**
 * Some requested connector or secret is missing or denied, so the runtime must not be created.
 * Code: `CONNECTOR_CREDENTIALS_UNAVAILABLE`. `document` is the `wp-codebox/connector-credential-failure/v1`
 * document: names, statuses and reasons only, never a value.
 */
export class ConnectorCredentialError extends PolicyError {
  override name = 'ConnectorCredentialError'
  /** The redacted failure document. */
  readonly document: ConnectorCredentialFailure

  /** @param document - the failure document (already redacted). */
  constructor(document: ConnectorCredentialFailure) {
    super('CONNECTOR_CREDENTIALS_UNAVAILABLE', document.message, {
      details: { document: JSON.parse(JSON.stringify(document)) as JsonValue },
    })
    this.document = document
  }
}
