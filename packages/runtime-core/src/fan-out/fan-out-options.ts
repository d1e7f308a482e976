import { z } from 'zod'
import type { RuntimeBackend } from '../backend.js'
import { MountSpecSchema, validate } from '../create-options.js'

/** Events `events()` replays to a late reader unless `maxBufferedEvents` says otherwise. */
export const DEFAULT_FAN_OUT_BUFFERED_EVENTS = 10_000

/**
 * The number of cores as the platform reports it (`navigator.hardwareConcurrency`), else 1. runtime-core imports
 * no `node:os`, so on Node 20 (no `navigator`) a caller that wants parallelism passes `concurrency` itself.
 */
export function defaultFanOutConcurrency(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: unknown } }).navigator
    ?.hardwareConcurrency
  return typeof cores === 'number' && Number.isInteger(cores) && cores > 0 ? cores : 1
}

const VariantSchema = z.object({
  name: z
    .string({ error: 'give each variant a name, e.g. "patch-a"' })
    .min(1, 'give each variant a non-empty name, e.g. "patch-a"')
    .max(200, 'keep variant names under 200 characters'),
  input: z.unknown().optional(),
  mounts: z.array(MountSpecSchema.omit({ signal: true, timeoutMs: true })).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
})

const SnapshotSchema = z.union(
  [
    z.instanceof(Uint8Array),
    z.object({ bytes: z.instanceof(Uint8Array), backend: z.string(), format: z.string() }),
  ],
  { error: 'pass a snapshot from runtime.snapshot() or its bytes' },
)

const FanOutOptionsSchema = z.object({
  backend: z.custom<RuntimeBackend>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as RuntimeBackend).create === 'function' &&
      typeof (value as RuntimeBackend).commands === 'object',
    'pass a backend instance, e.g. backend: playground()',
  ),
  from: SnapshotSchema,
  variants: z
    .array(VariantSchema, { error: 'pass an array of variants, e.g. [{ name: "a" }, { name: "b" }]' })
    .min(1, 'give at least one variant')
    .superRefine((variants, context) => {
      const seen = new Map<string, number>()
      variants.forEach((variant, index) => {
        const first = seen.get(variant.name)
        if (first !== undefined) {
          context.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `"${variant.name}" is already the name of variant ${first}; give each variant a unique name`,
          })
        } else seen.set(variant.name, index)
      })
    }),
  run: z.custom<(...args: unknown[]) => unknown>(
    (value) => typeof value === 'function',
    'pass run: async (runtime, { variant, input, signal }) => …',
  ),
  concurrency: z.number().int('must be a whole number of variants').positive('must be at least 1').optional(),
  collect: z
    .looseObject({ directory: z.string().min(1, 'give the folder the bundles go into') })
    .refine((value) => !('path' in value), {
      message: 'give directory, not path: every variant writes its own bundle',
    })
    .optional(),
  maxBufferedEvents: z.number().int().positive().optional(),
  signal: z.instanceof(AbortSignal).optional(),
  timeoutMs: z.number().int().positive().optional(),
  policy: z.unknown().optional(),
  runtime: z.record(z.string(), z.unknown()).optional(),
})

/** Checks `fanOut()` options, throwing `FAN_OUT_OPTIONS_INVALID` that names every bad field and how to fix it. */
export function validateFanOutOptions(options: unknown): void {
  validate(FanOutOptionsSchema, options, 'FAN_OUT_OPTIONS_INVALID', 'fanOut options')
}
