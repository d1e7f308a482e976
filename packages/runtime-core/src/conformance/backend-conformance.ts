import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe } from 'vitest'
import type { CommandCatalogue } from '../commands.js'
import { createRuntime } from '../create-runtime.js'
import type { CommandResult, CreateRuntimeOptions, Runtime } from '../runtime.js'
import { describeCollectConformance } from './collect-conformance.js'
import { allowAll, type BackendConformanceOptions, type ConformanceContext } from './conformance-context.js'
import { describeCreateConformance } from './create-conformance.js'
import { describeEventConformance } from './event-conformance.js'
import { describeExecuteConformance } from './execute-conformance.js'
import { describeLifecycleConformance } from './lifecycle-conformance.js'
import { describeMailConformance } from './mail-conformance.js'
import { describeMountConformance } from './mount-conformance.js'
import { describePolicyConformance } from './policy-conformance.js'
import { describeSnapshotConformance } from './snapshot-conformance.js'

export type { BackendConformanceOptions, ConformanceCall } from './conformance-context.js'

/**
 * The runtime contract, as a vitest suite any backend can run. It creates real runtimes on the backend and checks
 * lifecycle, commands, policy, events, redaction, mounts, snapshots, mail and cleanup. Each area lives in its own file
 * (`*-conformance.ts`); they run in this order, sharing one runtime and one host directory.
 *
 * @example
 * // my-backend.conformance.test.ts
 * import { describeBackendConformance } from '@codebox/runtime-core/conformance'
 * describeBackendConformance({ name: 'my-backend', createBackend: () => myBackend(), ... })
 */
export function describeBackendConformance<C extends CommandCatalogue>(
  options: BackendConformanceOptions<C>,
): void {
  const timeout = options.testTimeoutMs ?? 60_000
  const create = (extra: Partial<CreateRuntimeOptions<C>> = {}): Promise<Runtime<C>> =>
    createRuntime<C>({
      backend: options.createBackend(),
      policy: allowAll,
      ...options.createOptions,
      ...extra,
    } as CreateRuntimeOptions<C>)
  const exec: ConformanceContext<C>['exec'] = (runtime, call, more = {}): Promise<CommandResult> =>
    (runtime as unknown as Runtime).execute({ command: call.command, args: call.args, ...more } as Parameters<
      Runtime['execute']
    >[0])

  describe(`runtime contract: ${options.name}`, () => {
    let shared: Runtime<C>
    let hostDir: string

    beforeAll(async () => {
      shared = await create()
      hostDir = await realpath(await mkdtemp(join(tmpdir(), 'codebox-conformance-')))
      await writeFile(join(hostDir, 'hello.txt'), 'hello from the host\n')
    }, timeout * 2)

    afterAll(async () => {
      await shared?.destroy()
      if (hostDir) await rm(hostDir, { recursive: true, force: true })
    }, timeout)

    // Getters: the areas read the shared runtime and directory when their tests run, after beforeAll made them.
    const ctx: ConformanceContext<C> = {
      options,
      timeout,
      create,
      exec,
      get shared() {
        return shared
      },
      get hostDir() {
        return hostDir
      },
    }
    describeCreateConformance(ctx)
    describeExecuteConformance(ctx)
    describePolicyConformance(ctx)
    describeMountConformance(ctx)
    describeSnapshotConformance(ctx)
    describeCollectConformance(ctx)
    describeMailConformance(ctx)
    describeEventConformance(ctx)
    describeLifecycleConformance(ctx)
  })
}
