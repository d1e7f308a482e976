import type { CommandCatalogue } from '../commands.js'
import { createRuntime } from '../create-runtime.js'
import { AbortedError } from '../errors.js'
import type { RuntimeEvent } from '../events.js'
import type { CollectResult, Runtime } from '../runtime.js'
import { type FanOutPhase, FanOutVariantError } from './fan-out-error.js'
import { FanOutEventStream } from './fan-out-event-stream.js'
import {
  DEFAULT_FAN_OUT_BUFFERED_EVENTS,
  defaultFanOutConcurrency,
  validateFanOutOptions,
} from './fan-out-options.js'
import type { FanOutEvent, FanOutOptions, FanOutResult, FanOutRun } from './fan-out-types.js'

/**
 * Runs N variants from one snapshot, each on its own fresh runtime, at most `concurrency` at once. Every variant
 * settles on its own: one that throws becomes a `rejected` result whose {@link FanOutVariantError} names it, and
 * the others go on. Aborting (`signal`, `timeoutMs`, `abort()`, or leaving an `await using` scope) starts no more
 * variants and destroys the running ones' runtimes. Every runtime is destroyed before `results` resolves.
 * Backend-agnostic: it only uses `createRuntime` and the `Runtime` contract.
 *
 * @example
 * const run = fanOut({
 *   backend: playground(),
 *   from: snapshot,
 *   policy: { commands: { allow: ['wordpress.*'] } },
 *   variants: [{ name: 'a', input: 'A' }, { name: 'b', input: 'B' }],
 *   run: async (runtime, { input }) => {
 *     const result = await runtime.execute({ command: 'wordpress.option-set', args: { name: 'x', value: input } })
 *     return result.status
 *   },
 * })
 * for await (const event of run.events()) console.log(event.variant, event.type)
 * for (const result of await run.results) console.log(result.variant, result.status)
 *
 * @throws ValidationError (`FAN_OUT_OPTIONS_INVALID`) naming each bad field, before anything starts.
 */
export function fanOut<C extends CommandCatalogue, I = unknown, T = unknown>(
  options: FanOutOptions<C, I, T>,
): FanOutRun<T> {
  validateFanOutOptions(options)
  const controller = new AbortController()
  const signals = [controller.signal]
  if (options.signal) signals.push(options.signal)
  if (options.timeoutMs !== undefined) signals.push(AbortSignal.timeout(options.timeoutMs))
  const signal = AbortSignal.any(signals)
  const stream = new FanOutEventStream(options.maxBufferedEvents ?? DEFAULT_FAN_OUT_BUFFERED_EVENTS)
  const results = runAll(options, signal, stream).finally(() => stream.close())
  return {
    results,
    events: (eventsOptions) => stream.read(eventsOptions),
    abort: (reason) => controller.abort(reason ?? new AbortedError('fanOut')),
    async [Symbol.asyncDispose]() {
      controller.abort(new AbortedError('fanOut'))
      await results
    },
  }
}

async function runAll<C extends CommandCatalogue, I, T>(
  options: FanOutOptions<C, I, T>,
  signal: AbortSignal,
  stream: FanOutEventStream,
): Promise<FanOutResult<T>[]> {
  const count = options.variants.length
  const lanes = Math.min(options.concurrency ?? defaultFanOutConcurrency(), count)
  const results = new Array<FanOutResult<T>>(count)
  let next = 0
  const lane = async () => {
    while (next < count) {
      const index = next++
      results[index] = signal.aborted
        ? settle(stream, options.variants[index]!.name, index, 0, {
            error: cancelled(options.variants[index]!.name, 'queued', signal),
          })
        : await runVariant(options, index, signal, stream)
    }
  }
  await Promise.all(Array.from({ length: lanes }, lane))
  return results
}

type Outcome<T> = { readonly value: T } | { readonly error: FanOutVariantError }

async function runVariant<C extends CommandCatalogue, I, T>(
  options: FanOutOptions<C, I, T>,
  index: number,
  signal: AbortSignal,
  stream: FanOutEventStream,
): Promise<FanOutResult<T>> {
  const variant = options.variants[index]!
  const started = performance.now()
  stream.push({ type: 'variant.started', variant: variant.name, index, time: new Date().toISOString() })
  let runtime: Runtime<C> | undefined
  let forwarding: Promise<void> | undefined
  let bundle: CollectResult | undefined
  let outcome: Outcome<T>
  try {
    runtime = await createRuntime({
      ...options.runtime,
      backend: options.backend,
      from: options.from,
      signal,
      ...(options.policy === undefined ? {} : { policy: options.policy }),
      ...(variant.mounts ? { mounts: variant.mounts } : {}),
      metadata: { ...options.runtime?.metadata, ...variant.metadata, fanOutVariant: variant.name },
    })
    forwarding = forwardEvents(runtime, variant.name, stream)
    const live = runtime
    outcome = await untilAborted(
      Promise.resolve().then(() =>
        options.run(live, { variant: variant.name, index, input: variant.input as I, signal }),
      ),
      signal,
    ).then(
      (value) => ({ value }),
      (error: unknown) => ({ error: failure(variant.name, 'run', error, signal) }),
    )
    if (options.collect && !signal.aborted) {
      try {
        bundle = await runtime.collect({ ...options.collect, signal })
      } catch (error) {
        if ('value' in outcome) outcome = { error: failure(variant.name, 'collect', error, signal) }
      }
    }
  } catch (error) {
    outcome = { error: failure(variant.name, 'create', error, signal) }
  } finally {
    await runtime?.destroy().catch(() => {})
    await forwarding
  }
  return settle(stream, variant.name, index, performance.now() - started, outcome, bundle, runtime?.id)
}

/** Builds the variant's result and emits `variant.settled` (after all of its runtime's events). */
function settle<T>(
  stream: FanOutEventStream,
  variant: string,
  index: number,
  durationMs: number,
  outcome: Outcome<T>,
  bundle?: CollectResult,
  runtimeId?: string,
): FanOutResult<T> {
  const rounded = Math.round(durationMs)
  const time = new Date().toISOString()
  if ('error' in outcome) {
    const { code, message } = outcome.error
    stream.push({
      type: 'variant.settled',
      variant,
      index,
      status: 'rejected',
      durationMs: rounded,
      error: { code, message },
      time,
    })
    return {
      status: 'rejected',
      variant,
      index,
      error: outcome.error,
      bundle,
      runtimeId,
      durationMs: rounded,
    }
  }
  stream.push({ type: 'variant.settled', variant, index, status: 'fulfilled', durationMs: rounded, time })
  return {
    status: 'fulfilled',
    variant,
    index,
    value: outcome.value,
    bundle,
    runtimeId: runtimeId as string,
    durationMs: rounded,
  }
}

function failure(
  variant: string,
  phase: FanOutPhase,
  error: unknown,
  signal: AbortSignal,
): FanOutVariantError {
  if (signal.aborted) return cancelled(variant, phase, signal)
  return new FanOutVariantError('FAN_OUT_VARIANT_FAILED', variant, phase, error)
}

function cancelled(variant: string, phase: FanOutPhase, signal: AbortSignal): FanOutVariantError {
  return new FanOutVariantError('FAN_OUT_VARIANT_CANCELLED', variant, phase, signal.reason)
}

/** Forwards a runtime's events, from its creation on, tagged with the variant; ends when the runtime is destroyed. */
async function forwardEvents<C extends CommandCatalogue>(
  runtime: Runtime<C>,
  variant: string,
  stream: FanOutEventStream,
): Promise<void> {
  for await (const event of runtime.observe({ replay: true })) {
    stream.push({ ...(event as RuntimeEvent), variant } as FanOutEvent)
  }
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts. A `run` that ignores its signal is left behind (its
 * runtime is destroyed next, so whatever it still does fails fast); its late outcome is swallowed.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
