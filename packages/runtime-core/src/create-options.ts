// The schemas createRuntime() and runtime.mount() validate their options against, and the helpers that turn zod
// issues into a typed ValidationError. Internal to runtime-core: the public option types live in runtime.ts.
import { z } from 'zod'
import type { MountSpec, RuntimeBackend } from './backend.js'
import { ValidationError } from './errors.js'
import { toValidationIssues } from './key-value-args.js'
import { DeterministicOptionsSchema } from './runtime-determinism.js'

/** A mount as given to `runtime.mount()` (call options included) or, without them, to `createRuntime`. */
export const MountSpecSchema = z.strictObject({
  source: z.string().min(1, 'give the host path to mount'),
  target: z
    .string()
    .min(1)
    .refine(
      (value) => value.startsWith('/'),
      'must be an absolute path inside the runtime, e.g. /wordpress/wp-content/plugins/x',
    ),
  mode: z.enum(['readonly', 'readwrite']).default('readonly'),
  signal: z.instanceof(AbortSignal).optional(),
  timeoutMs: z.number().int().positive().optional(),
})

/** A byte cap of `limits`: a whole number of bytes, at least 1 KiB so one ordinary record or event fits. */
const ByteCap = z.number().int().min(1024, 'must be at least 1024 bytes, e.g. 2 * 1024 * 1024')

/** The shape of `CreateRuntimeOptions` checked at the entry point; `policy` is checked by `parsePolicy`. */
export const CreateOptionsSchema = z.object({
  backend: z.custom<RuntimeBackend>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as RuntimeBackend).create === 'function' &&
      typeof (value as RuntimeBackend).commands === 'object',
    'pass a backend instance, e.g. backend: playground()',
  ),
  signal: z.instanceof(AbortSignal).optional(),
  timeoutMs: z.number().int().positive().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  mounts: z.array(MountSpecSchema.omit({ signal: true, timeoutMs: true })).optional(),
  connectors: z
    .array(z.strictObject({ name: z.string().min(1), secrets: z.array(z.string().min(1)) }))
    .optional(),
  onApproval: z.function().optional(),
  secretProvider: z.function().optional(),
  cleanupOnExit: z.boolean().optional(),
  deterministic: DeterministicOptionsSchema.optional(),
  limits: z
    .strictObject({
      historyBytes: ByteCap.optional(),
      eventHistoryBytes: ByteCap.optional(),
      observeBufferBytes: ByteCap.optional(),
    })
    .optional(),
})

/** Parses `value`, or throws a {@link ValidationError} with `code` whose issues are JSON paths under `root`. */
export function validate<T>(
  schema: z.ZodType<T>,
  value: unknown,
  code: string,
  subject: string,
  root = '$',
): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new ValidationError(code, subject, toValidationIssues(parsed.error, root))
  return parsed.data
}

/** Normalises a path inside the runtime (posix), refusing `..` segments. */
export function normaliseTarget(target: string): string {
  const parts = target.split('/').filter((part) => part !== '' && part !== '.')
  if (parts.includes('..')) {
    throw new ValidationError('MOUNT_INVALID', 'mount', [
      { path: '$.target', message: 'must not contain ".." segments; give the final absolute path' },
    ])
  }
  return `/${parts.join('/')}`
}

/** Whether a host path is absolute (POSIX, or a Windows drive path), without `node:path`. */
export function isAbsoluteHostPath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)
}

/**
 * Validates a mount and normalises its target. Absolute sources are checked against the policy here (through
 * `assertAllowed`); the backend checks again once it has resolved the real path (relative sources and symlinks).
 */
export function checkMount(
  spec: MountSpec,
  assertAllowed: (source: string, mode: 'readonly' | 'readwrite') => void,
): Required<MountSpec> {
  const parsed = validate(MountSpecSchema, spec, 'MOUNT_INVALID', 'mount')
  const mount = { source: parsed.source, target: normaliseTarget(parsed.target), mode: parsed.mode }
  if (isAbsoluteHostPath(mount.source)) assertAllowed(mount.source, mount.mode)
  return mount
}
