import { commandMatches } from './command-pattern.js'
import { RuntimeCommandPolicyViolationError } from './errors.js'
import { policyDigest } from './policy-digest.js'
import type { RuntimePolicy } from './policy-schema.js'

/**
 * True when `policy.commands.allow` permits `command`: an exact entry, a `prefix.*` entry covering it
 * (at any depth, never the prefix itself), or `*`. Malformed command names are never allowed.
 *
 * @param policy - the effective policy (from {@link parsePolicy}).
 * @param command - a command name such as `wordpress.run-php`.
 */
export function isRuntimeCommandAllowed(policy: Pick<RuntimePolicy, 'commands'>, command: string): boolean {
  return policy.commands.allow.some((pattern) => commandMatches(pattern, command))
}

/**
 * Throws unless `policy.commands.allow` permits `command`. runtime-core calls it before every dispatch and
 * turns the error into a recorded result with `status: 'denied'`.
 *
 * @param policy - the effective policy (from {@link parsePolicy}).
 * @param command - a command name such as `wordpress.run-php`.
 * @throws {@link RuntimeCommandPolicyViolationError} (code `POLICY_COMMAND_DENIED`) carrying the command and the
 *   policy digest.
 *
 * @example
 * ```ts
 * assertRuntimeCommandAllowed(parsePolicy({ commands: { allow: ['wordpress.*'] } }), 'wordpress.run-php') // ok
 * ```
 */
export function assertRuntimeCommandAllowed(policy: RuntimePolicy, command: string): void {
  if (isRuntimeCommandAllowed(policy, command)) return
  throw new RuntimeCommandPolicyViolationError(command, policyDigest(policy), policy.commands.allow)
}
