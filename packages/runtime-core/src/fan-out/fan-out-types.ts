import type { MountSpec, RuntimeBackend, RuntimeSnapshot } from '../backend.js'
import type { CommandCatalogue } from '../commands.js'
import type { RuntimeEvent } from '../events.js'
import type { CallOptions, CollectOptions, CollectResult, CreateRuntimeOptions, Runtime } from '../runtime.js'
import type { FanOutVariantError } from './fan-out-error.js'

/** One variant of a fan-out: a name, the input its run receives, and what its runtime boots with. */
export interface FanOutVariant<I = unknown> {
  /** Unique within the fan-out; tags the variant's events, result, error and bundle metadata. */
  readonly name: string
  /** Handed to `run` for this variant (a patch, a prompt, a setting). Default `undefined`. */
  readonly input?: I
  /** Mounts made before this variant's runtime boots, e.g. a readwrite copy of a plugin with its patch. Default none. */
  readonly mounts?: readonly MountSpec[]
  /** JSON-safe data recorded in this variant's runtime and bundle, next to `fanOutVariant: name`. Default `{}`. */
  readonly metadata?: Readonly<Record<string, unknown>>
}

/** What `run` receives besides the variant's runtime. */
export interface FanOutRunContext<I = unknown> {
  /** The variant's name. */
  readonly variant: string
  /** Its position in `variants`. */
  readonly index: number
  /** Its `input`. */
  readonly input: I
  /** Aborted when the fan-out is cancelled (its `signal`, `timeoutMs`, `abort()` or disposal). */
  readonly signal: AbortSignal
}

/** Where and how each variant's bundle is written; `directory` is required (every bundle gets its own id). */
export type FanOutCollectOptions = Omit<CollectOptions, 'path' | 'directory' | 'signal' | 'timeoutMs'> & {
  /** The folder every variant's bundle goes into, as `<directory>/codebox-bundle-<id>`. */
  readonly directory: string
}

/** Options of {@link fanOut}. */
export interface FanOutOptions<C extends CommandCatalogue = CommandCatalogue, I = unknown, T = unknown>
  extends CallOptions {
  /** The backend every variant's runtime is created on. */
  readonly backend: RuntimeBackend<C>
  /** The snapshot (or its bytes) every variant starts from. */
  readonly from: RuntimeSnapshot | Uint8Array
  /** The variants, at least one, with unique names. */
  readonly variants: readonly FanOutVariant<I>[]
  /**
   * Runs one variant on its own fresh runtime. Its value becomes the variant's result; a throw becomes a
   * `FanOutVariantError` naming the variant, and the other variants go on. The runtime is destroyed afterwards.
   */
  readonly run: (runtime: Runtime<C>, context: FanOutRunContext<I>) => Promise<T>
  /**
   * Most variants running at once. Default: the number of cores as the platform reports it
   * (`navigator.hardwareConcurrency`: Node ≥ 21, Deno, Bun, browsers), else 1. On Node 20, which has no
   * `navigator`, pass `os.availableParallelism()`.
   */
  readonly concurrency?: number
  /** Write a bundle per variant (after its run, whether it succeeded or threw). Default: no bundles. */
  readonly collect?: FanOutCollectOptions
  /** The policy of every variant's runtime (see `createRuntime`). Default: deny everything. */
  readonly policy?: unknown
  /** Further `createRuntime` options shared by every variant (logger, connectors, env, approvals, create timeout). */
  readonly runtime?: Omit<CreateRuntimeOptions<C>, 'backend' | 'from' | 'mounts' | 'signal' | 'policy'>
  /** Events kept for `events()` to replay to a reader that starts late; the oldest go first. Default 10 000. */
  readonly maxBufferedEvents?: number
}

/** A variant's outcome, like a `Promise.allSettled` entry, with its name and bundle. */
export type FanOutResult<T> =
  | {
      readonly status: 'fulfilled'
      readonly variant: string
      readonly index: number
      readonly value: T
      /** Its bundle, when `collect` was given. */
      readonly bundle: CollectResult | undefined
      readonly runtimeId: string
      readonly durationMs: number
    }
  | {
      readonly status: 'rejected'
      readonly variant: string
      readonly index: number
      /** Names the variant and the phase (`create`, `run`, `collect`) or says it was cancelled. */
      readonly error: FanOutVariantError
      /** Its bundle, when `collect` was given and the runtime got far enough to write one. */
      readonly bundle: CollectResult | undefined
      /** Undefined when no runtime was created for it (creation failed or it was cancelled first). */
      readonly runtimeId: string | undefined
      readonly durationMs: number
    }

/** A variant started: its runtime is being created. */
export interface FanOutVariantStartedEvent {
  readonly type: 'variant.started'
  readonly variant: string
  readonly index: number
  readonly time: string
}

/** A variant settled and its runtime is destroyed. */
export interface FanOutVariantSettledEvent {
  readonly type: 'variant.settled'
  readonly variant: string
  readonly index: number
  readonly status: 'fulfilled' | 'rejected'
  readonly durationMs: number
  /** For a rejected variant: its error's code and (redacted) message. */
  readonly error?: { readonly code: string; readonly message: string }
  readonly time: string
}

/** A slow reader of `events()` fell this many events behind; the oldest were dropped. */
export interface FanOutEventsDroppedEvent {
  readonly type: 'fan-out.events-dropped'
  readonly count: number
}

/** What `events()` yields: every variant's runtime events tagged with `variant`, and the fan-out's own events. */
export type FanOutEvent =
  | (RuntimeEvent & { readonly variant: string })
  | FanOutVariantStartedEvent
  | FanOutVariantSettledEvent
  | FanOutEventsDroppedEvent

/** Options of `events()`. */
export interface FanOutEventsOptions {
  /** Ends the iteration early. */
  readonly signal?: AbortSignal
}

/** A fan-out under way. */
export interface FanOutRun<T> extends AsyncDisposable {
  /**
   * Every variant's outcome, in the order of `variants`. Resolves once all have settled and every runtime is
   * destroyed; never rejects (a failed or cancelled variant is a `rejected` entry).
   */
  readonly results: Promise<readonly FanOutResult<T>[]>
  /**
   * The merged events of all variants, tagged with the variant. Each call is a new reader that first gets the
   * events so far (up to `maxBufferedEvents`), then live ones; it ends when every variant has settled.
   */
  events(options?: FanOutEventsOptions): AsyncIterableIterator<FanOutEvent>
  /** Cancels every variant: none starts any more, running ones have their runtimes destroyed. */
  abort(reason?: unknown): void
}
