import { PolicyValidationError } from './errors.js'
import { type RuntimePolicy, RuntimePolicySchema } from './policy-schema.js'
import { toPolicyIssues } from './zod-issues.js'

/**
 * Validates a runtime policy and returns the effective, fully defaulted policy.
 *
 * @param input - the policy as written by a caller; `undefined` or `{}` gives the deny-everything policy.
 * @returns the effective policy.
 * @throws {@link PolicyValidationError} listing every issue, each with a JSON path such as `$.network.allowHosts[2]`.
 *
 * @example
 * ```ts
 * const policy = parsePolicy({ commands: { allow: ['wordpress.*'] } })
 * policy.network // 'deny'
 * ```
 */
export function parsePolicy(input: unknown): RuntimePolicy {
  const result = RuntimePolicySchema.safeParse(input === undefined ? {} : input)
  if (result.success) return result.data
  throw new PolicyValidationError('policy', toPolicyIssues(RuntimePolicySchema, result.error))
}
