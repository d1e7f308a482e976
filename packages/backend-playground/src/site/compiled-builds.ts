/**
 * Builds of compiled (OPcache file cache) layers, shared by `compiled-core.ts` and `compiled-plugins.ts`.
 *
 * @module
 */
import { SharedWork } from '../shared-work.js'

/** What a caller of {@link CompiledBuilds.ensure} passes through. */
export interface CompiledBuildOptions {
  readonly signal?: AbortSignal | undefined
  readonly progress?: ((message: string) => void) | undefined
}

/** One kind of compiled layer: how to read a finished one, build one, and say what happened. */
export interface CompiledBuild<T> {
  /** The layer at its directory, or undefined when there is none (or it is unusable). */
  read(): T | undefined
  /** Builds the layer into its directory; resolves with the progress message that says what it built. */
  build(signal: AbortSignal): Promise<(elapsedMs: number) => string>
  /** The progress message for a failed build; the runtime then compiles those files itself. */
  failure(error: unknown): string
}

/**
 * Compiled layers by directory: read from disk, or built once (concurrent first creates share one build, each
 * waiting with its own signal). A directory whose build failed is not tried again in this process: a build takes
 * seconds, and the runtime works without it.
 */
export class CompiledBuilds<T> {
  readonly #builds = new SharedWork<T | undefined>()
  readonly #failed = new Set<string>()

  /**
   * The layer at `dir`: from disk, built now, or undefined when its build failed (now or before in this process).
   *
   * @throws the caller's abort reason when `signal` fires while it waits for the build.
   */
  async ensure(
    dir: string,
    kind: CompiledBuild<T>,
    options: CompiledBuildOptions = {},
  ): Promise<T | undefined> {
    const found = kind.read()
    if (found || this.#failed.has(dir)) return found
    const { value } = await this.#builds.run(
      dir,
      async (signal) => {
        try {
          const started = performance.now()
          const done = await kind.build(signal)
          options.progress?.(done(Math.round(performance.now() - started)))
        } catch (error) {
          if (signal.aborted) throw error
          this.#failed.add(dir)
          options.progress?.(kind.failure(error))
        }
        return kind.read()
      },
      { signal: options.signal },
    )
    return value
  }
}
