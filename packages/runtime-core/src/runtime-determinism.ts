/**
 * `createRuntime({ deterministic })`: the ids runtime-core makes (runtime, command, bundle) and the bundle's
 * `createdAt` derived from the seed and clock, and the seeded clock and entropy handed to the backend, which
 * applies them inside its sandbox (the Playground backend: PHP's clock and random sources).
 *
 * What stays real, so two runs may differ there (and only there): wall-clock timestamps and durations that measure
 * the run (`startedAt`, `finishedAt`, `durationMs`, event `timestamp`s, `timings`, the boot times in logs), and
 * anything that crosses the sandbox boundary (network responses, mounted host files changed in between).
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { BackendDeterminism } from './backend.js'

/** Options of `createRuntime({ deterministic })` and of a recipe's `runtime.deterministic`. */
export interface DeterministicOptions {
  /**
   * The instant the sandbox's clock starts at, ISO 8601 with a zone (`2026-01-01T00:00:00Z`). Default
   * {@link DEFAULT_DETERMINISTIC_CLOCK}.
   */
  readonly clock?: string
  /** Seed of the sandbox's entropy and of the ids: equal seeds give equal runs. A whole number, 0 to 2³²−1. */
  readonly seed: number
}

/** The `deterministic` option of `createRuntime` and of a recipe's `runtime`. */
export const DeterministicOptionsSchema = z.strictObject({
  clock: z
    .string({ error: 'clock must be an ISO 8601 instant, e.g. "2026-01-01T00:00:00Z"' })
    .refine(
      (value) => /(Z|[+-]\d\d:\d\d)$/.test(value) && !Number.isNaN(Date.parse(value)),
      'must be an ISO 8601 instant with a zone, e.g. "2026-01-01T00:00:00Z"',
    )
    .optional(),
  seed: z
    .number({ error: 'seed must be a whole number, e.g. 42' })
    .int('must be a whole number, e.g. 42')
    .min(0, 'must be 0 or more, e.g. 42')
    .max(2 ** 32 - 1, 'must be at most 4294967295'),
})

/** Where a deterministic runtime's clock starts when the options give no `clock`. */
export const DEFAULT_DETERMINISTIC_CLOCK = '2026-01-01T00:00:00.000Z'

/** The ids and instants a deterministic runtime uses instead of random ones. */
export class RuntimeDeterminism {
  readonly backend: BackendDeterminism
  readonly #seed: number
  #bundles = 0

  constructor(options: DeterministicOptions) {
    this.#seed = options.seed
    this.backend = {
      clockMs: Date.parse(options.clock ?? DEFAULT_DETERMINISTIC_CLOCK),
      seed: options.seed,
    }
  }

  /**
   * The runtime id: `rt_` and 12 characters derived from the seed. When a live runtime in this process already has
   * it (two deterministic runtimes with one seed at once), `_2`, `_3`… is appended, the lowest free one.
   */
  runtimeId(liveIds: ReadonlySet<string>): string {
    const base = `rt_${this.#derive('runtime').slice(0, 12)}`
    let id = base
    for (let n = 2; liveIds.has(id); n++) id = `${base}_${n}`
    return id
  }

  /** The id of the command at `index` (0-based, in execution order) of this runtime. */
  commandId(runtimeId: string, index: number): string {
    return this.#derive(`command/${runtimeId}/${index}`).slice(0, 21)
  }

  /** The next bundle's id (UUID-shaped, like a random one) and `createdAt`: the clock's start instant. */
  nextBundle(runtimeId: string): { readonly bundleId: string; readonly createdAt: string } {
    const hex = createHash('sha256')
      .update(`codebox/deterministic/${this.#seed}/bundle/${runtimeId}/${this.#bundles++}`)
      .digest('hex')
    const bundleId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
    return { bundleId, createdAt: new Date(this.backend.clockMs).toISOString() }
  }

  #derive(purpose: string): string {
    return createHash('sha256').update(`codebox/deterministic/${this.#seed}/${purpose}`).digest('base64url')
  }
}
