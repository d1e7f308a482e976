import { type FSWatcher, watch } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { type AddedUser, addUser, type UserRole } from './admin/add-user.js'
import { listenAdminSocket } from './admin/admin-socket.js'
import { lockDataDir } from './data-dir-lock.js'
import { HostError } from './host-error.js'
import { parseHostOptions, type ResolvedHostOptions, type StartHostOptions } from './host-options.js'
import { parseTenantManifest, readTenantManifest } from './manifest/parse-tenant-manifest.js'
import type { TenantManifest } from './manifest/tenant-manifest-schema.js'
import { HostMetrics, phpMemoryBytes } from './metrics/host-metrics.js'
import { createOpsApp } from './server/ops-app.js'
import { createTenantApp } from './server/tenant-app.js'
import type { TenantState } from './tenants/tenant-runtime.js'
import { type ManifestChange, TenantSet } from './tenants/tenant-set.js'
import { writeFileAtomic } from './tenants/write-file-atomic.js'

/** A tenant as the host reports it. */
export interface HostTenantStatus {
  readonly id: string
  readonly domains: readonly string[]
  readonly state: TenantState
  /** Why it failed to start, when it did. */
  readonly failure?: string | undefined
}

/** A running host. `close()` is graceful and idempotent, and also runs on `await using`. */
export interface Host extends AsyncDisposable {
  /** Base URL of the tenant listener, e.g. `http://127.0.0.1:8080` (send each tenant's `Host`). */
  readonly url: string
  /** Base URL of the operations listener (`/healthz`, `/readyz`, `/metrics`). */
  readonly opsUrl: string
  /** The absolute data directory. */
  readonly dataDir: string
  /** Every tenant of the current manifest with its state. */
  tenants(): HostTenantStatus[]
  /**
   * Reloads the manifest (its file, or `manifest` when given): added tenants start, removed ones drain, changed ones
   * restart. An invalid manifest is refused with its typed error and the running set is kept.
   */
  reload(manifest?: unknown): Promise<ManifestChange>
  /** Adds a user with an application password (returned once, stored nowhere by the host). */
  addUser(tenant: string, login: string, role: UserRole): Promise<AddedUser>
  /** Writes a backup (a codebox snapshot of the tenant's site, database included) to `file`, mode 0600. */
  backup(tenant: string, file: string): Promise<{ readonly file: string; readonly bytes: number }>
  /** Restores a backup into the tenant, after an automatic snapshot of its current state. */
  restore(tenant: string, file: string): Promise<{ readonly tenant: string }>
  /** Stops accepting, lets requests in flight finish, drains every tenant, releases the data directory. */
  close(): Promise<void>
}

const LOGIN = /^[a-z0-9][a-z0-9._@-]{0,59}$/i

function baseUrl(address: ReturnType<FastifyInstance['server']['address']>): string {
  if (!address || typeof address === 'string') return String(address)
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host}:${address.port}`
}

async function loadManifest(source: ResolvedHostOptions['manifest'] | unknown): Promise<TenantManifest> {
  return typeof source === 'string' ? readTenantManifest(source) : parseTenantManifest(source)
}

/**
 * Starts the multi-tenant headless GraphQL host: validates the options and the tenant manifest, locks the data
 * directory (one writer per tenant database), starts one runtime per tenant on its durable database, and listens:
 * tenant traffic on `host:port` (routed by `Host`; `/graphql`, `/wp-json/*` and `/_codebox/media` only) and
 * operations on `opsHost:opsPort`. Resolves once every tenant has started (or failed; see `tenants()` and `/readyz`).
 *
 * @throws {@link HostError} `HOST_OPTIONS_INVALID`, `HOST_NOT_LOOPBACK`, `HOST_DATA_DIR_LOCKED`,
 *   `HOST_MEDIA_CREDENTIALS_MISSING`; {@link TenantManifestError} for a manifest that cannot be used.
 *
 * @example
 * await using host = await startHost({ manifest: 'tenants.json', dataDir: './data', port: 8080 })
 * await fetch(`${host.url}/graphql`, {
 *   method: 'POST',
 *   headers: { host: 'acme.test', 'content-type': 'application/json' },
 *   body: JSON.stringify({ query: '{ generalSettings { title } }' }),
 * })
 */
export async function startHost(input: StartHostOptions): Promise<Host> {
  const options = parseHostOptions(input)
  const { logger } = options
  const manifest = await loadManifest(options.manifest)
  const release = await lockDataDir(options.dataDir)
  const metrics = new HostMetrics()
  const tenants = new TenantSet(
    options.dataDir,
    (current) => ({
      approvedPlugins: current.approvedPlugins,
      env: options.env,
      cacheDir: options.cacheDir,
      download: options.download,
      logger,
    }),
    options.audit,
  )
  metrics.sampleTenantsWith(() =>
    tenants.all().map((tenant) => ({
      tenant: tenant.id,
      ready: tenant.state === 'ready',
      inFlight: tenant.inFlight,
      queued: tenant.queued,
      phpMemoryLimitBytes: phpMemoryBytes(tenant.config.limits.phpMemory),
      runtime: tenant.stats(),
    })),
  )
  let closing: Promise<void> | undefined
  const apps: FastifyInstance[] = []
  let watcher: FSWatcher | undefined
  try {
    await tenants.apply(manifest)
    const tenantApp = createTenantApp(tenants, metrics, options.http, logger)
    apps.push(tenantApp)
    await tenantApp.listen({ host: options.host, port: options.port })
    const opsApp = createOpsApp(tenants, metrics, () => closing !== undefined)
    apps.push(opsApp)
    await opsApp.listen({ host: options.opsHost, port: options.opsPort })
  } catch (error) {
    await Promise.all(apps.map((app) => app.close()))
    await tenants.drainAll()
    await release()
    throw error
  }

  let reloading = Promise.resolve<unknown>(undefined)
  const reload = (next?: unknown): Promise<ManifestChange> => {
    const run = reloading.then(async () => {
      let candidate: TenantManifest
      try {
        candidate = await loadManifest(next ?? options.manifest)
      } catch (error) {
        metrics.reload('rejected')
        logger.error?.(`manifest reload rejected; the running tenants are kept: ${(error as Error).message}`)
        throw error
      }
      const change = await tenants.apply(candidate)
      metrics.reload('applied')
      logger.info?.(
        `manifest reloaded: started ${change.started.join(', ') || '-'}; restarted ${change.restarted.join(', ') || '-'}; drained ${change.drained.join(', ') || '-'}`,
      )
      return change
    })
    reloading = run.catch(() => {})
    return run
  }

  const tenant = (id: string) => {
    const found = tenants.byId(id)
    if (!found) {
      throw new HostError(
        'HOST_TENANT_UNKNOWN',
        `No tenant "${id}" in the manifest; known: ${
          tenants
            .all()
            .map((t) => t.id)
            .join(', ') || '(none)'
        }.`,
        {
          details: { tenant: id },
        },
      )
    }
    return found
  }
  const audited = async <T>(
    id: string,
    operation: 'admin.user-add' | 'admin.backup' | 'admin.restore',
    work: () => Promise<T>,
  ) => {
    const target = tenant(id)
    const started = performance.now()
    let status = 200
    try {
      return await work()
    } catch (error) {
      status = 500
      throw error
    } finally {
      target.audit.write({
        time: new Date().toISOString(),
        requestId: `admin-${Date.now()}`,
        tenant: id,
        operation,
        method: 'ADMIN',
        route: operation,
        status,
        durationMs: Math.round(performance.now() - started),
        authenticated: true,
      })
    }
  }

  const host: Host = {
    url: baseUrl(apps[0]!.server.address()),
    opsUrl: baseUrl(apps[1]!.server.address()),
    dataDir: options.dataDir,
    tenants: () =>
      tenants.all().map((entry) => ({
        id: entry.id,
        domains: entry.config.domains,
        state: entry.state,
        failure: entry.failure,
      })),
    reload,
    addUser: (id, login, role) =>
      audited(id, 'admin.user-add', async () => {
        if (!LOGIN.test(login)) {
          throw new HostError(
            'HOST_USAGE',
            `login ${JSON.stringify(login)} must be 1 to 60 letters, digits, ".", "_", "@" or "-"`,
          )
        }
        return addUser(tenant(id).runtime(), id, login, role)
      }),
    backup: (id, file) =>
      audited(id, 'admin.backup', async () => {
        const bytes = await tenant(id).snapshot()
        const target = path.resolve(file)
        await writeFileAtomic(target, bytes, 0o600)
        return { file: target, bytes: bytes.byteLength }
      }),
    restore: (id, file) =>
      audited(id, 'admin.restore', async () => {
        const bytes = await readFile(path.resolve(file)).catch((error: NodeJS.ErrnoException) => {
          throw new HostError(
            'HOST_BACKUP_UNREADABLE',
            `Cannot read the backup ${file} (${error.code ?? error.message}).`,
            {
              details: { file },
            },
          )
        })
        await tenant(id).restore(new Uint8Array(bytes))
        return { tenant: id }
      }),
    close: () => {
      closing ??= (async () => {
        watcher?.close()
        // Stop accepting; requests in flight finish (their tenants' queues empty), then the tenants drain.
        await Promise.all(apps.map((app) => app.close()))
        await tenants.drainAll()
        await release()
      })()
      return closing
    },
    [Symbol.asyncDispose]: () => host.close(),
  }

  if (options.adminSocket) {
    try {
      apps.push(
        await listenAdminSocket(options.dataDir, {
          addUser: host.addUser,
          backup: host.backup,
          restore: host.restore,
          reload: () => reload(),
        }),
      )
    } catch (error) {
      logger.warn?.(
        `admin socket not available (${(error as Error).message}); admin commands run offline only`,
      )
    }
  }
  if (options.watchManifest && typeof options.manifest === 'string') {
    const file = options.manifest
    let timer: NodeJS.Timeout | undefined
    // The directory is watched, not the file: editors and atomic writers replace the file, which ends a file watch.
    watcher = watch(path.dirname(file), (_event, name) => {
      if (name !== path.basename(file)) return
      clearTimeout(timer)
      timer = setTimeout(() => void reload().catch(() => {}), 200)
    })
    watcher.unref()
  }
  return host
}
