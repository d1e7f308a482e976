import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '@codebox/runtime-core'
import { DEFAULT_AUDIT_ROTATION } from '../audit/audit-log.js'
import { lockDataDir } from '../data-dir-lock.js'
import { HostError } from '../host-error.js'
import { parseTenantManifest, readTenantManifest } from '../manifest/parse-tenant-manifest.js'
import { tenantPaths } from '../tenants/tenant-paths.js'
import { TenantRuntime } from '../tenants/tenant-runtime.js'
import { writeFileAtomic } from '../tenants/write-file-atomic.js'
import { type AddedUser, addUser, type UserRole } from './add-user.js'
import { callRunningHost } from './admin-client.js'

/** Options of {@link hostAdmin}: the same manifest and data directory the host runs with. */
export interface HostAdminOptions {
  /** The tenant manifest file (or document). */
  readonly manifest: string | Record<string, unknown>
  readonly dataDir: string
  /** Where secrets are read from by name. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly cacheDir?: string
  readonly download?: boolean
  readonly logger?: Logger
}

/** Admin operations on a tenant, whether a host is running on the data directory or not. */
export interface HostAdmin {
  addUser(tenant: string, login: string, role: UserRole): Promise<AddedUser>
  backup(tenant: string, file: string): Promise<{ readonly file: string; readonly bytes: number }>
  restore(tenant: string, file: string): Promise<{ readonly tenant: string }>
}

/**
 * Admin operations for `codebox host user add | backup | restore`. Each goes to the host running on the data
 * directory through its admin socket; with no host running it runs offline: the data directory is locked, only that
 * tenant's runtime is started on its durable database, the operation runs, and everything is stopped again.
 */
export function hostAdmin(options: HostAdminOptions): HostAdmin {
  const dataDir = path.resolve(options.dataDir)
  const offline = async <T>(id: string, work: (tenant: TenantRuntime) => Promise<T>): Promise<T> => {
    const manifest =
      typeof options.manifest === 'string'
        ? await readTenantManifest(path.resolve(options.manifest))
        : parseTenantManifest(options.manifest)
    const config = manifest.tenants.find((tenant) => tenant.id === id)
    if (!config) {
      throw new HostError('HOST_TENANT_UNKNOWN', `No tenant "${id}" in the manifest.`, {
        details: { tenant: id },
      })
    }
    const release = await lockDataDir(dataDir)
    const tenant = TenantRuntime.start(
      config,
      tenantPaths(dataDir, id),
      {
        approvedPlugins: manifest.approvedPlugins,
        env: options.env ?? process.env,
        cacheDir: options.cacheDir,
        download: options.download,
        logger: options.logger ?? {},
      },
      DEFAULT_AUDIT_ROTATION,
    )
    try {
      await tenant.ready()
      if (tenant.state !== 'ready') {
        throw new HostError(
          'HOST_TENANT_UNAVAILABLE',
          `Tenant "${id}" did not start: ${tenant.failure ?? tenant.state}`,
        )
      }
      return await work(tenant)
    } finally {
      await tenant.drain()
      await release()
    }
  }
  return {
    addUser: async (id, login, role) =>
      (await callRunningHost<AddedUser>(dataDir, `/tenants/${encodeURIComponent(id)}/users`, {
        login,
        role,
      })) ?? offline(id, (tenant) => addUser(tenant.runtime(), id, login, role)),
    backup: async (id, file) =>
      (await callRunningHost<{ file: string; bytes: number }>(
        dataDir,
        `/tenants/${encodeURIComponent(id)}/backup`,
        { file: path.resolve(file) },
      )) ??
      offline(id, async (tenant) => {
        const bytes = await tenant.snapshot()
        await writeFileAtomic(path.resolve(file), bytes, 0o600)
        return { file: path.resolve(file), bytes: bytes.byteLength }
      }),
    restore: async (id, file) =>
      (await callRunningHost<{ tenant: string }>(dataDir, `/tenants/${encodeURIComponent(id)}/restore`, {
        file: path.resolve(file),
      })) ??
      offline(id, async (tenant) => {
        const bytes = await readFile(path.resolve(file)).catch((error: NodeJS.ErrnoException) => {
          throw new HostError(
            'HOST_BACKUP_UNREADABLE',
            `Cannot read the backup ${file} (${error.code ?? error.message}).`,
          )
        })
        await tenant.restore(new Uint8Array(bytes))
        return { tenant: id }
      }),
  }
}
