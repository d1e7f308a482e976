import type { Redactor } from '@codebox/artifacts'
import type { ApprovalGate } from './approval-gate.js'
import type { MountSpec } from './backend.js'
import { checkMount } from './create-options.js'
import type { RuntimeEventInput } from './events.js'
import { withRedactedErrors } from './redact-error.js'
import type { CallOptions, Unmount } from './runtime.js'
import type { RuntimeLifecycle } from './runtime-lifecycle.js'

/** A mount made with `runtime.mount()`, as the bundle's inputs list it. */
export interface RuntimeMountRecord {
  source: string
  target: string
  mode: string
  added: 'runtime'
  removed: boolean
}

/**
 * `runtime.mount()`: validates the mount, asks for approval of a read-write one, lets the backend make it, emits
 * `mount.added` / `mount.removed`, and keeps the record the bundle's inputs list. The returned unmount is
 * idempotent and a no-op once the runtime is being destroyed. Internal to runtime-core.
 */
export class RuntimeMounts {
  readonly #lifecycle: RuntimeLifecycle
  readonly #approvals: ApprovalGate
  readonly #redactor: Redactor
  readonly #emit: (event: RuntimeEventInput) => void
  readonly #assertAllowed: (source: string, mode: 'readonly' | 'readwrite') => void
  /** Mounts made with `runtime.mount()`, in order, for the bundle's inputs. */
  readonly #records: RuntimeMountRecord[] = []

  constructor(init: {
    lifecycle: RuntimeLifecycle
    approvals: ApprovalGate
    redactor: Redactor
    emit: (event: RuntimeEventInput) => void
    assertAllowed: (source: string, mode: 'readonly' | 'readwrite') => void
  }) {
    this.#lifecycle = init.lifecycle
    this.#approvals = init.approvals
    this.#redactor = init.redactor
    this.#emit = init.emit
    this.#assertAllowed = init.assertAllowed
  }

  /** The mounts made with `runtime.mount()` so far, in order (removed ones marked, not dropped). */
  get records(): readonly RuntimeMountRecord[] {
    return this.#records
  }

  /** Validates a mount and checks an absolute source against the policy (see {@link checkMount}). */
  check(spec: MountSpec): Required<MountSpec> {
    return checkMount(spec, this.#assertAllowed)
  }

  /** Makes a mount on the ready runtime and returns its own undo. */
  async mount(spec: MountSpec & CallOptions): Promise<Unmount> {
    const instance = this.#lifecycle.assert('mount')
    const mount = this.check(spec)
    if (mount.mode === 'readwrite') await this.#approvals.approveReadWriteMount(mount)
    const made = await this.#lifecycle.track(
      this.#lifecycle.withSignal('mount', spec, (signal) => instance.mount(mount, { signal })),
    )
    this.#emit({
      type: 'mount.added',
      mountId: made.id,
      source: made.source,
      target: made.target,
      mode: made.mode,
    })
    // A bundle's inputs list every mount the run had, not only those given to createRuntime.
    const input: RuntimeMountRecord = {
      source: made.source,
      target: made.target,
      mode: made.mode,
      added: 'runtime',
      removed: false,
    }
    this.#records.push(input)
    let removed: Promise<void> | undefined
    const unmount = () => {
      removed ??= withRedactedErrors(this.#redactor, async () => {
        const state = this.#lifecycle.state
        if (state === 'destroyed' || state === 'destroying') return
        await made.unmount()
        input.removed = true
        this.#emit({ type: 'mount.removed', mountId: made.id, target: made.target })
      })
      return removed
    }
    const { unmount: _drop, ...info } = made
    return Object.assign(unmount, { mount: Object.freeze(info) })
  }
}
