import type {
  BackendCallContext,
  BackendCollectContribution,
  BackendMount,
  ChangedFile,
} from '@codebox/runtime-core'
import {
  diffMount,
  disposeMount,
  disposeMountSync,
  type PreparedMount,
  prepareMount,
  resolveMountSource,
} from '../site/site-mounts.js'
import type { WorkerMount } from './site-worker-options.js'
import type { WorkerSupervisor } from './worker-supervisor.js'

/** A mount as asked for, at create or by `runtime.mount()` (its mode already defaulted by the options schema). */
export interface MountRequest {
  readonly source: string
  readonly target: string
  readonly mode: 'readonly' | 'readwrite'
}

/**
 * A runtime's host mounts: each checked against the policy after realpath, prepared (a private copy for readwrite),
 * mounted into the worker, and kept until destroy so that a readwrite mount's changes stay collectable.
 */
export class RuntimeMounts {
  readonly #assertAllowed: (source: string, mode: 'readonly' | 'readwrite') => void
  readonly #mounts = new Map<string, PreparedMount>()
  /** Undo of each mount made while the runtime runs (boot mounts go away with their worker). */
  readonly #workerMounts = new Map<string, () => Promise<void>>()
  #nextMount = 0

  constructor(assertAllowed: (source: string, mode: 'readonly' | 'readwrite') => void) {
    this.#assertAllowed = assertAllowed
  }

  /** How many mounts the runtime holds. */
  get size(): number {
    return this.#mounts.size
  }

  /** Prepares the mounts a runtime boots with, in order; the worker mounts them at start ({@link workerMounts}). */
  async prepareAtBoot(requests: readonly MountRequest[]): Promise<void> {
    for (const request of requests) {
      const real = await resolveMountSource(request.source)
      this.#assertAllowed(real, request.mode)
      const mount = await prepareMount(`m${this.#nextMount}`, request, real)
      this.#mounts.set(mount.id, mount)
      this.#nextMount++
    }
  }

  /** Every held mount as the worker mounts it, for a worker booted now (at create or at recovery). */
  workerMounts(): WorkerMount[] {
    return [...this.#mounts.values()].map((mount) => ({
      hostPath: mount.mountedPath,
      vfsPath: mount.target,
      readOnly: mount.mode === 'readonly',
    }))
  }

  /** Mounts into the running worker (on the supervisor's queue); the result's `unmount` undoes it. */
  async mount(
    spec: MountRequest,
    supervisor: WorkerSupervisor,
    context: BackendCallContext,
  ): Promise<BackendMount> {
    const real = await resolveMountSource(spec.source)
    this.#assertAllowed(real, spec.mode)
    const id = `m${this.#nextMount++}`
    const mount = await prepareMount(id, spec, real)
    try {
      const undo = await supervisor.run(() =>
        supervisor.worker.mount(
          { hostPath: mount.mountedPath, vfsPath: mount.target, readOnly: mount.mode === 'readonly' },
          { signal: context.signal },
        ),
      )
      this.#mounts.set(id, mount)
      this.#workerMounts.set(id, undo)
    } catch (error) {
      await disposeMount(mount)
      throw error
    }
    return {
      id,
      source: mount.source,
      target: mount.target,
      mode: mount.mode,
      unmount: async () => {
        const undo = this.#workerMounts.get(id)
        if (!undo) return
        this.#workerMounts.delete(id)
        await supervisor.run(() => undo())
        // The changes of a readwrite mount stay collectable until destroy.
        if (mount.mode === 'readonly') {
          this.#mounts.delete(id)
          await disposeMount(mount)
        }
      },
    }
  }

  /** What the readwrite mounts changed, for collect; undefined when the runtime has none. */
  async changes(): Promise<BackendCollectContribution['changes']> {
    const mounts = [...this.#mounts.values()].filter((mount) => mount.mode === 'readwrite')
    if (mounts.length === 0) return undefined
    const files: ChangedFile[] = []
    for (const mount of mounts) files.push(...(await diffMount(mount)))
    return {
      mounts: mounts.map((mount) => ({ id: mount.id, source: mount.source, target: mount.target })),
      files,
    }
  }

  /** Removes every mount's private copies. */
  async dispose(): Promise<void> {
    await Promise.all([...this.#mounts.values()].map((mount) => disposeMount(mount)))
    this.#mounts.clear()
  }

  /** Removes the private copies synchronously: at process exit nothing can be awaited. */
  disposeSync(): void {
    for (const mount of this.#mounts.values()) {
      try {
        disposeMountSync(mount)
      } catch {
        // Best effort at exit.
      }
    }
    this.#mounts.clear()
  }
}
