import { z } from 'zod'
import { commandPatternProblem } from './command-pattern.js'
import { parseHostEntry } from './host-entry.js'
import { hasParentSegment, isAbsoluteHostPath } from './paths.js'

/** Message for a zod issue produced by a schema itself (wrong type or value), leaving nested issues alone. */
function ownError(message: string) {
  return (issue: { code: string; input?: unknown }) => {
    if (issue.code === 'invalid_type' && issue.input === undefined) return `required but missing; ${message}`
    return issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union'
      ? message
      : undefined
  }
}

/**
 * A command pattern: an exact command name (`wordpress.run-php`), a prefix wildcard (`wordpress.*`, matching
 * every command below `wordpress.` at any depth) or `*` for every command.
 */
export const CommandPatternSchema = z
  .string({ error: ownError('expected a command name string such as "wordpress.run-php" or "wordpress.*"') })
  .superRefine((pattern, ctx) => {
    const problem = commandPatternProblem(pattern)
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: pattern })
  })
  .meta({ description: 'Exact command name ("wordpress.run-php"), prefix wildcard ("wordpress.*") or "*".' })

/** `policy.commands`: which commands may be dispatched. Default `{ allow: [] }` denies every command. */
export const CommandsPolicySchema = z
  .strictObject(
    {
      allow: z
        .array(CommandPatternSchema, {
          error: ownError('commands.allow must be an array of command patterns, e.g. ["wordpress.*"]'),
        })
        .default(() => [])
        .meta({ description: 'Allowed commands; empty (the default) denies every command.' }),
    },
    { error: ownError('commands must be an object like { allow: ["wordpress.run-php"] }') },
  )
  .meta({ description: 'Allow-list of runtime commands.' })

/**
 * One `network.allowHosts` entry: `api.example.com`, `*.example.com` (subdomains at any depth, not the apex),
 * with an optional port (`api.example.com:443`, `127.0.0.1:8080`), or a bracketed IPv6 address (`[::1]:80`).
 * Schemes, paths, user info, empty strings and a bare `*` are rejected.
 */
export const HostEntrySchema = z
  .string({ error: ownError('expected a host string such as "api.example.com" or "*.example.com:443"') })
  .superRefine((entry, ctx) => {
    const parsed = parseHostEntry(entry)
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem, input: entry })
  })
  .meta({ description: 'Host, "*.domain" wildcard, IPv4 or [IPv6], with an optional ":port".' })

/** `network` as an allow-list of hosts. */
export const NetworkAllowHostsSchema = z.strictObject(
  {
    allowHosts: z.array(HostEntrySchema, {
      error: ownError(
        'network.allowHosts must be an array of hosts, e.g. ["api.example.com", "*.example.org:443"]',
      ),
    }),
  },
  { error: ownError('network must be "deny", "allow" or { allowHosts: [...] }') },
)

/** `policy.network`: `'deny'` (default), `'allow'` or `{ allowHosts }`. */
export const NetworkPolicySchema = z
  .union([z.enum(['deny', 'allow']), NetworkAllowHostsSchema], {
    error: ownError('network must be "deny", "allow" or { allowHosts: ["api.example.com"] }'),
  })
  .meta({ description: 'Outbound network: "deny", "allow" or { allowHosts }.' })

/** A mount mode. */
export const MountModeSchema = z.enum(['readonly', 'readwrite'], {
  error: ownError('a mount mode must be "readonly" or "readwrite"'),
})

/** An absolute host path (POSIX `/…` or Windows `C:\…`), without `..` segments. */
export const HostPathSchema = z
  .string({ error: ownError('expected an absolute host path string such as "/home/me/plugins"') })
  .superRefine((path, ctx) => {
    if (!isAbsoluteHostPath(path)) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(path)} is not absolute; resolve it first (e.g. path.resolve) and give the absolute host path`,
        input: path,
      })
    } else if (hasParentSegment(path)) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(path)} contains ".."; give the resolved path instead`,
        input: path,
      })
    } else if (path.includes('\0')) {
      ctx.addIssue({ code: 'custom', message: 'remove the NUL character from the path', input: path })
    }
  })

/** An absolute path inside the runtime (always POSIX), without `..` segments. */
export const RuntimePathSchema = z
  .string({ error: ownError('expected an absolute runtime path such as "/wordpress/wp-content/uploads"') })
  .superRefine((path, ctx) => {
    if (!path.startsWith('/')) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(path)} is not an absolute runtime path; start it with "/", e.g. "/wordpress/wp-content/uploads"`,
        input: path,
      })
    } else if (path.split('/').includes('..') || path.includes('\0')) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(path)} contains ".." or NUL; give the normalised path instead`,
        input: path,
      })
    }
  })

/** One host path that may be mounted, and with which modes. */
export const MountRuleSchema = z.strictObject(
  {
    path: HostPathSchema.meta({
      description: 'Absolute host path; it and everything inside it may be mounted.',
    }),
    modes: z
      .array(MountModeSchema, { error: ownError('modes must be an array such as ["readonly"]') })
      .min(1, { error: 'modes is empty; list at least one of "readonly", "readwrite"' })
      .superRefine((modes, ctx) => {
        if (new Set(modes).size !== modes.length) {
          ctx.addIssue({
            code: 'custom',
            message: 'modes lists a mode twice; list each mode once',
            input: modes,
          })
        }
      })
      .meta({
        description: 'Modes allowed for mounts at or below path. "readwrite" does not imply "readonly".',
      }),
  },
  { error: ownError('a mount rule must be an object like { path: "/abs/host/path", modes: ["readonly"] }') },
)

/** `policy.filesystem`: which host paths may be mounted and which runtime paths are writable. Default none. */
export const FilesystemPolicySchema = z
  .strictObject(
    {
      mounts: z
        .array(MountRuleSchema, {
          error: ownError('filesystem.mounts must be an array of { path, modes } rules'),
        })
        .default(() => []),
      writableRoots: z
        .array(RuntimePathSchema, {
          error: ownError(
            'filesystem.writableRoots must be an array of runtime paths, e.g. ["/wordpress/wp-content"]',
          ),
        })
        .default(() => [])
        .meta({ description: 'Runtime paths under which writes are allowed.' }),
    },
    { error: ownError('filesystem must be an object like { mounts: [], writableRoots: [] }') },
  )
  .meta({ description: 'Host paths that may be mounted and runtime paths that are writable.' })

/** `policy.secrets`: `'none'` (default) or `'connector-scoped'`. */
export const SecretsPolicySchema = z
  .enum(['none', 'connector-scoped'], { error: ownError('secrets must be "none" or "connector-scoped"') })
  .meta({ description: 'Whether declared connector secrets may reach the runtime.' })

const APPROVAL_MODES = ['never', 'on-write', 'on-command'] as const

/** `policy.approvals`: when a human (the `onApproval` callback) must approve. Default `{ mode: 'never' }`. */
export const ApprovalsPolicySchema = z
  .strictObject(
    {
      mode: z.enum(APPROVAL_MODES, {
        error: ownError('approvals.mode must be "never", "on-write" or "on-command"'),
      }),
      commands: z
        .array(CommandPatternSchema, {
          error: ownError(
            'approvals.commands must be an array of command patterns, e.g. ["wordpress.run-php"]',
          ),
        })
        .min(1, { error: 'approvals.commands is empty; omit it to require approval for every command' })
        .optional()
        .meta({ description: 'With mode "on-command": only these commands need approval (default: all).' }),
    },
    { error: ownError('approvals must be an object like { mode: "never" }') },
  )
  .superRefine(
    (approvals, ctx) => {
      if (approvals.commands !== undefined && approvals.mode !== 'on-command') {
        ctx.addIssue({
          code: 'custom',
          path: ['commands'],
          message: `approvals.commands only applies to mode "on-command"; remove it or set mode to "on-command"`,
          input: approvals.commands,
        })
      }
    },
    {
      // Run even when a sibling field failed, so every issue is listed at once; skip when mode itself is invalid.
      when: (payload) => {
        const value = payload.value as { mode?: unknown } | undefined
        return typeof value === 'object' && value !== null && APPROVAL_MODES.includes(value.mode as never)
      },
    },
  )
  .meta({ description: 'When commands or writes need approval.' })

/**
 * The runtime policy as written by a caller. Every field is optional and defaults to deny:
 * no commands, no network, no mounts, no writable roots, no secrets, no approvals.
 * Unknown keys are rejected. Use {@link parsePolicy} to validate with path-precise errors.
 *
 * @example
 * ```ts
 * const policy = RuntimePolicySchema.parse({
 *   commands: { allow: ['wordpress.*'] },
 *   network: { allowHosts: ['api.wordpress.org:443'] },
 * })
 * ```
 */
export const RuntimePolicySchema = z
  .strictObject(
    {
      commands: CommandsPolicySchema.default(() => ({ allow: [] })),
      network: NetworkPolicySchema.default('deny'),
      filesystem: FilesystemPolicySchema.default(() => ({ mounts: [], writableRoots: [] })),
      secrets: SecretsPolicySchema.default('none'),
      approvals: ApprovalsPolicySchema.default(() => ({ mode: 'never' as const })),
    },
    { error: ownError('a policy must be an object; {} is the deny-everything policy') },
  )
  .meta({
    title: 'codebox runtime policy',
    description: 'Deny-by-default runtime policy for a codebox runtime.',
  })

/** The effective, fully defaulted runtime policy (the output of {@link RuntimePolicySchema}). */
export type RuntimePolicy = z.output<typeof RuntimePolicySchema>
/** A runtime policy as a caller may write it (every field optional). */
export type RuntimePolicyInput = z.input<typeof RuntimePolicySchema>
/** `policy.network`. */
export type NetworkPolicy = z.output<typeof NetworkPolicySchema>
/** `policy.filesystem`. */
export type FilesystemPolicy = z.output<typeof FilesystemPolicySchema>
/** `policy.approvals`. */
export type ApprovalsPolicy = z.output<typeof ApprovalsPolicySchema>
/** A mount mode. */
export type MountMode = z.output<typeof MountModeSchema>

/** The five fields of a runtime policy. */
export type PolicyField = 'commands' | 'network' | 'filesystem' | 'secrets' | 'approvals'

/** The five fields of a runtime policy, in canonical order. */
export const POLICY_FIELDS: readonly PolicyField[] = Object.freeze([
  'commands',
  'network',
  'filesystem',
  'secrets',
  'approvals',
] as const)

/**
 * A policy that allows every command and keeps every other field at its deny default. For tests and demos.
 * Equivalent to `parsePolicy({ commands: { allow: ['*'] } })`.
 */
export function permissivePolicy(): RuntimePolicy {
  return RuntimePolicySchema.parse({ commands: { allow: ['*'] } })
}
