import { type PlaygroundCommands, playground } from '@codebox/backend-playground'
import {
  createRuntime,
  isCodeboxError,
  type RuntimeBackend,
  type RuntimeSnapshot,
} from '@codebox/runtime-core'
import { FailureRecorder, renderFailureReport } from './failure-report.js'
import { WordPressFixtureError } from './wordpress-fixture-error.js'
import type { ResolvedFixtureOptions, WordPressRuntime } from './wordpress-fixture-options.js'

/** Options of {@link WordPressSite.fork}. */
export interface ForkOptions {
  /** Cancels the fork's creation. */
  readonly signal?: AbortSignal
}

/**
 * A test file's prepared site: booted once with the fixture's plugins, mounts and `setup`, then snapshotted.
 * Available to tests and hooks as the `wordpressSite` fixture.
 */
export interface WordPressSite {
  /** The prepared site, as `createRuntime({ from })` takes it. */
  readonly snapshot: RuntimeSnapshot
  /**
   * A new runtime restored from {@link snapshot}, with the fixture's mounts and policy. The caller owns it and
   * must destroy it before its test ends (the leak check fails the test otherwise). The `wordpress` fixture is
   * one such fork, destroyed for you.
   */
  fork(options?: ForkOptions): Promise<WordPressRuntime>
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Boots the site once, runs `setup` on it, snapshots it and destroys it; forks then come from the snapshot, on a
 * backend with a warm pool of pre-started PHP workers keyed to the snapshot's layers.
 *
 * @throws WordPressFixtureError (`VITEST_SITE_SETUP_FAILED`) when the site cannot boot or `setup` throws; the message
 *   carries the report of what the site's runtime did.
 */
export async function prepareWordPressSite(options: ResolvedFixtureOptions): Promise<WordPressSite> {
  const runtimeOptions = {
    policy: options.policy,
    mounts: options.mounts,
    ...(options.connectors && options.connectors.length > 0 ? { connectors: options.connectors } : {}),
    ...(options.env ? { env: options.env } : {}),
  }
  let base: WordPressRuntime
  try {
    base = await createRuntime({ backend: playground(options.backend), ...runtimeOptions })
  } catch (error) {
    throw new WordPressFixtureError(
      'VITEST_SITE_SETUP_FAILED',
      `The test file's WordPress site could not boot: ${isCodeboxError(error) ? `${error.code}: ` : ''}${messageOf(error)}`,
      { cause: error },
    )
  }
  const recorder = new FailureRecorder(base, options.report)
  let snapshot: RuntimeSnapshot
  try {
    await options.setup?.(base)
    snapshot = await base.snapshot()
  } catch (error) {
    const report = renderFailureReport(recorder.report(), 'setup')
    throw new WordPressFixtureError(
      'VITEST_SITE_SETUP_FAILED',
      `The fixture's setup failed while preparing the test file's site: ${messageOf(error)}\nFix setup (or the plugin it exercises); every test of this file needs it.\n${report}`,
      { cause: error },
    )
  } finally {
    recorder.stop()
    await base.destroy()
  }

  const forkBackend: RuntimeBackend<PlaygroundCommands> = playground({
    ...options.backend,
    ...(options.pool > 0 ? { pool: { size: options.pool } } : {}),
  })
  return {
    snapshot,
    fork: (forkOptions = {}) =>
      createRuntime({
        backend: forkBackend,
        from: snapshot,
        ...runtimeOptions,
        ...(forkOptions.signal ? { signal: forkOptions.signal } : {}),
      }),
  }
}
