import { rm } from 'node:fs/promises'
import path from 'node:path'
import { decodeSnapshot } from '@codebox/backend-playground'
import type { RuntimeStats } from '@codebox/runtime-core'
import PQueue from 'p-queue'
import { writeRetainedSnapshot } from '../admin/snapshot-files.js'
import { AuditLog, type AuditRotation } from '../audit/audit-log.js'
import { HostError } from '../host-error.js'
import type { TenantConfig } from '../manifest/tenant-manifest-schema.js'
import { createObjectStore } from '../media/create-object-store.js'
import type { ObjectStore } from '../media/object-store.js'
import {
  createTenantRuntime,
  type TenantRuntimeEnvironment,
  type TenantRuntimeHandle,
} from './create-tenant-runtime.js'
import type { TenantPaths } from './tenant-paths.js'

/** Where a tenant is in its life: only `ready` serves requests. */
export type TenantState = 'starting' | 'ready' | 'restoring' | 'draining' | 'stopped' | 'failed'

/** The outcome of {@link TenantRuntime.serve}: the work's value, or why it did not run (or finish). */
export type ServeOutcome<T> =
  | { readonly status: 'ok'; readonly value: T }
  /** The wait list is full (`limits.maxQueued`). */
  | { readonly status: 'busy' }
  /** The request's deadline passed while it waited. */
  | { readonly status: 'timeout' }
  /** The tenant is not ready (starting, restoring, draining, stopped or failed). */
  | { readonly status: 'unavailable'; readonly state: TenantState }

/** The database file inside the durable database directory. */
const DATABASE_FILE = '.ht.sqlite'
const SNAPSHOT_DATABASE_PATH = `wp-content/database/${DATABASE_FILE}`

/**
 * One tenant: its own runtime (worker, durable database, secrets, policy), its limits (requests at once, wait list,
 * deadline), its audit trail and its media store. Requests run through {@link serve}; admin operations that replace
 * the runtime ({@link restore}) wait for the requests in flight and refuse new ones meanwhile.
 */
export class TenantRuntime {
  readonly config: TenantConfig
  readonly paths: TenantPaths
  readonly audit: AuditLog
  /** The media store and expected token, when the tenant has media ingest. */
  readonly media: { readonly store: ObjectStore; readonly token: string | undefined } | undefined
  readonly #environment: TenantRuntimeEnvironment
  readonly #queue: PQueue
  #runtime: TenantRuntimeHandle | undefined
  #state: TenantState = 'starting'
  #failure: string | undefined
  readonly #started: Promise<void>

  private constructor(
    config: TenantConfig,
    paths: TenantPaths,
    environment: TenantRuntimeEnvironment,
    audit: AuditRotation,
  ) {
    this.config = config
    this.paths = paths
    this.#environment = environment
    this.#queue = new PQueue({ concurrency: config.limits.maxConcurrent })
    this.audit = new AuditLog(paths.audit, audit)
    this.media = config.media
      ? {
          store: createObjectStore(config.id, config.media.store, paths.media, environment.env),
          token: environment.env[config.media.tokenEnv] || undefined,
        }
      : undefined
    this.#started = this.#boot(undefined)
  }

  /** Starts a tenant in the background; `ready()` settles once it serves (or failed). */
  static start(
    config: TenantConfig,
    paths: TenantPaths,
    environment: TenantRuntimeEnvironment,
    audit: AuditRotation,
  ): TenantRuntime {
    return new TenantRuntime(config, paths, environment, audit)
  }

  get id(): string {
    return this.config.id
  }

  get state(): TenantState {
    return this.#state
  }

  /** Why the tenant failed to start, when it did. */
  get failure(): string | undefined {
    return this.#failure
  }

  /** Requests running now. */
  get inFlight(): number {
    return this.#queue.pending
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.#queue.size
  }

  /**
   * The counters of the tenant's current runtime (`runtime.stats()`: commands, failures, timeouts, restarts…), or
   * undefined while it has none. They start again from zero when the runtime is replaced (a restore, a reload).
   */
  stats(): RuntimeStats | undefined {
    return this.#runtime?.stats()
  }

  /** Resolves once the tenant's first start settled (ready or failed); never rejects. */
  ready(): Promise<void> {
    return this.#started
  }

  async #boot(from: Uint8Array | undefined): Promise<void> {
    const started = performance.now()
    try {
      this.#runtime = await createTenantRuntime(this.config, this.paths, this.#environment, { from })
      this.#state = 'ready'
      this.#environment.logger.info?.(
        `tenant ${this.id}: ready in ${Math.round(performance.now() - started)} ms`,
      )
    } catch (error) {
      this.#state = 'failed'
      this.#failure =
        error instanceof Error
          ? `${(error as { code?: string }).code ?? error.name}: ${error.message}`
          : String(error)
      this.#environment.logger.error?.(`tenant ${this.id}: failed to start: ${this.#failure}`)
    }
  }

  /**
   * Runs `work` on the tenant's runtime within its limits: at most `maxConcurrent` at once, at most `maxQueued`
   * waiting, all before `deadline` (a `performance.now()` time). `signal` (the client went away) drops a request
   * that is still waiting; `work` gets the time left and a signal that fires at the deadline only.
   */
  async serve<T>(
    work: (runtime: TenantRuntimeHandle, remainingMs: number, signal: AbortSignal) => Promise<T>,
    options: { readonly deadline: number; readonly signal: AbortSignal },
  ): Promise<ServeOutcome<T>> {
    if (this.#state !== 'ready') return { status: 'unavailable', state: this.#state }
    if (
      this.#queue.size >= this.config.limits.maxQueued &&
      this.#queue.pending >= this.config.limits.maxConcurrent
    ) {
      return { status: 'busy' }
    }
    const remaining = () => Math.max(0, Math.round(options.deadline - performance.now()))
    // The deadline stops a request wherever it is; a client that hangs up (`options.signal`) only stops its wait in
    // the queue. A request already in PHP runs to its end: aborting it restarts the tenant's worker (seconds of CPU
    // beside the other tenants, and a cold next request), which any client could otherwise force by hanging up.
    const deadline = AbortSignal.timeout(Math.max(1, remaining()))
    const signal = AbortSignal.any([options.signal, deadline])
    try {
      const outcome = await this.#queue.add(
        async (): Promise<ServeOutcome<T>> => {
          const runtime = this.#runtime
          if (this.#state !== 'ready' || !runtime) return { status: 'unavailable', state: this.#state }
          if (remaining() <= 0 || options.signal.aborted) return { status: 'timeout' }
          return { status: 'ok', value: await work(runtime, remaining(), deadline) }
        },
        { signal, throwOnTimeout: true },
      )
      return outcome
    } catch (error) {
      if (signal.aborted && !options.signal.aborted) return { status: 'timeout' }
      if (options.signal.aborted) return { status: 'timeout' }
      throw error
    }
  }

  /** A snapshot of the tenant's site (database included), taken between two requests of its runtime. */
  async snapshot(): Promise<Uint8Array> {
    const runtime = this.#requireRuntime()
    return (await runtime.snapshot()).bytes
  }

  /** Takes an automatic snapshot before a destructive operation and keeps the newest `snapshots.keep`. */
  async snapshotBefore(reason: string): Promise<string> {
    return writeRetainedSnapshot(
      this.paths.snapshots,
      reason,
      await this.snapshot(),
      this.config.snapshots.keep,
    )
  }

  /**
   * Replaces the tenant's site with a snapshot (a backup): an automatic snapshot of the current state first, then
   * new requests are refused, the ones in flight finish, the runtime is replaced by one restored from `bytes` on the
   * same durable database directory, and the tenant serves again.
   *
   * @throws the snapshot's typed error (`SNAPSHOT_FORMAT_INVALID`, `SNAPSHOT_LAYER_MISMATCH`, …); the tenant then
   *   goes on from its database as it was.
   */
  async restore(bytes: Uint8Array): Promise<void> {
    const decoded = await decodeSnapshot(bytes)
    await this.snapshotBefore('before-restore')
    this.#state = 'restoring'
    await this.#queue.onIdle()
    await this.#runtime?.destroy()
    this.#runtime = undefined
    // A snapshot whose database equals the template's carries none: start that one from the template again.
    if (!decoded.files.has(SNAPSHOT_DATABASE_PATH))
      await rm(path.join(this.paths.database, DATABASE_FILE), { force: true })
    try {
      this.#runtime = await createTenantRuntime(this.config, this.paths, this.#environment, { from: bytes })
      this.#state = 'ready'
    } catch (error) {
      this.#environment.logger.error?.(
        `tenant ${this.id}: restore failed; starting from the database on disk`,
      )
      await this.#boot(undefined)
      throw error
    }
  }

  /** The tenant's runtime, for the host's own PHP programs (users, media). */
  runtime(): TenantRuntimeHandle {
    return this.#requireRuntime()
  }

  #requireRuntime(): TenantRuntimeHandle {
    if (this.#state !== 'ready' || !this.#runtime) {
      throw new HostError(
        'HOST_TENANT_UNAVAILABLE',
        `Tenant "${this.id}" is ${this.#state}; try again when it is ready.`,
        {
          details: { tenant: this.id, state: this.#state },
        },
      )
    }
    return this.#runtime
  }

  /**
   * Stops the tenant: refuses new requests, lets the ones in flight finish (the database stays consistent and
   * synced), destroys the runtime and closes its audit trail and store. Idempotent.
   */
  async drain(): Promise<void> {
    if (this.#state === 'stopped') return
    await this.#started
    this.#state = 'draining'
    await this.#queue.onIdle()
    await this.#runtime?.destroy()
    this.#runtime = undefined
    this.#state = 'stopped'
    await this.audit.close()
    await this.media?.store.close()
  }
}
