import { isDeepStrictEqual } from 'node:util'
import type { AuditRotation } from '../audit/audit-log.js'
import type { TenantManifest } from '../manifest/tenant-manifest-schema.js'
import { createObjectStore } from '../media/create-object-store.js'
import type { TenantRuntimeEnvironment } from './create-tenant-runtime.js'
import { tenantPaths } from './tenant-paths.js'
import { TenantRuntime } from './tenant-runtime.js'

/** What applying a manifest changed. */
export interface ManifestChange {
  readonly started: readonly string[]
  readonly restarted: readonly string[]
  readonly drained: readonly string[]
  readonly unchanged: readonly string[]
}

/**
 * The running tenants and the domain → tenant map. Applying a manifest starts added tenants, drains removed ones,
 * restarts changed ones (drained first: one runtime per database at a time) and remaps domains at once, so a
 * domain moved between tenants never reaches the old one again.
 */
export class TenantSet {
  readonly #dataDir: string
  readonly #environment: (manifest: TenantManifest) => TenantRuntimeEnvironment
  readonly #audit: AuditRotation
  #tenants = new Map<string, TenantRuntime>()
  #domains = new Map<string, TenantRuntime>()
  #manifest: TenantManifest | undefined

  constructor(
    dataDir: string,
    environment: (manifest: TenantManifest) => TenantRuntimeEnvironment,
    audit: AuditRotation,
  ) {
    this.#dataDir = dataDir
    this.#environment = environment
    this.#audit = audit
  }

  /** The tenant a host name routes to, if any. */
  byDomain(hostname: string): TenantRuntime | undefined {
    return this.#domains.get(hostname)
  }

  /** The tenant with this id, if running. */
  byId(id: string): TenantRuntime | undefined {
    return this.#tenants.get(id)
  }

  /** Every tenant, in manifest order. */
  all(): TenantRuntime[] {
    return [...this.#tenants.values()]
  }

  /** Applies a validated manifest; resolves once every started tenant has settled (ready or failed). */
  async apply(manifest: TenantManifest): Promise<ManifestChange> {
    const environment = this.#environment(manifest)
    // Fail before changing anything: a tenant whose store credentials are missing would not start.
    for (const tenant of manifest.tenants) {
      if (tenant.media) {
        await createObjectStore(tenant.id, tenant.media.store, '/', environment.env).close()
      }
    }
    const previous = this.#manifest
    const wanted = new Map(manifest.tenants.map((tenant) => [tenant.id, tenant]))
    const drained: string[] = []
    const restarted: string[] = []
    const unchanged: string[] = []
    const kept = new Map<string, TenantRuntime>()
    const stopping: Promise<void>[] = []
    for (const [id, running] of this.#tenants) {
      const next = wanted.get(id)
      const approvalsSame = isDeepStrictEqual(previous?.approvedPlugins, manifest.approvedPlugins)
      if (next && approvalsSame && isDeepStrictEqual(next, running.config)) {
        kept.set(id, running)
        unchanged.push(id)
      } else {
        if (next) restarted.push(id)
        else drained.push(id)
        stopping.push(running.drain())
      }
    }
    // Removed and changed tenants stop routing now, before they drain.
    this.#tenants = kept
    this.#domains = new Map(
      [...kept.values()].flatMap((tenant) => tenant.config.domains.map((d) => [d, tenant])),
    )
    await Promise.all(stopping)
    const started: string[] = []
    for (const tenant of manifest.tenants) {
      if (kept.has(tenant.id)) continue
      const runtime = TenantRuntime.start(
        tenant,
        tenantPaths(this.#dataDir, tenant.id),
        environment,
        this.#audit,
      )
      this.#tenants.set(tenant.id, runtime)
      if (!restarted.includes(tenant.id)) started.push(tenant.id)
    }
    // Keep manifest order, and route every domain of the new set.
    this.#tenants = new Map(
      manifest.tenants.map((tenant) => [tenant.id, this.#tenants.get(tenant.id) as TenantRuntime]),
    )
    this.#domains = new Map(
      [...this.#tenants.values()].flatMap((tenant) => tenant.config.domains.map((d) => [d, tenant])),
    )
    this.#manifest = manifest
    await Promise.all([...this.#tenants.values()].map((tenant) => tenant.ready()))
    return { started, restarted, drained, unchanged }
  }

  /** Drains every tenant (SIGTERM): in-flight requests finish, databases stay synced. */
  async drainAll(): Promise<void> {
    const tenants = [...this.#tenants.values()]
    this.#tenants = new Map()
    this.#domains = new Map()
    await Promise.all(tenants.map((tenant) => tenant.drain()))
  }
}
