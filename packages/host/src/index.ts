/**
 * `@codebox/host`: the multi-tenant headless GraphQL host of the wp-wasi design. One runtime per tenant on a durable
 * SQLite database, routed by `Host`, serving only `/graphql`, `/wp-json/*` and media ingest, with per-tenant limits,
 * audit trails and Prometheus metrics.
 *
 * @packageDocumentation
 */

export type { AddedUser, UserRole } from './admin/add-user.js'
export { USER_ROLES } from './admin/add-user.js'
export { ADMIN_SOCKET, adminSocketPath } from './admin/admin-socket.js'
export type { HostAdmin, HostAdminOptions } from './admin/host-admin.js'
export { hostAdmin } from './admin/host-admin.js'
export { SNAPSHOT_SUFFIX } from './admin/snapshot-files.js'
export type { AuditOperation, AuditRecord, AuditRotation } from './audit/audit-log.js'
export { DEFAULT_AUDIT_ROTATION } from './audit/audit-log.js'
export { LOCK_FILE, lockDataDir } from './data-dir-lock.js'
export type { HostErrorDetails, HostIssue } from './host-error.js'
export { HostError, TenantManifestError } from './host-error.js'
export type { ResolvedHostOptions, StartHostOptions } from './host-options.js'
export { HostOptionsSchema, isLoopback, parseHostOptions } from './host-options.js'
export {
  parseTenantManifest,
  parseTenantManifestText,
  readTenantManifest,
  tenantManifestJsonSchema,
} from './manifest/parse-tenant-manifest.js'
export type {
  MediaStoreConfig,
  TenantConfig,
  TenantManifest,
  TenantManifestInput,
  TenantMediaConfig,
} from './manifest/tenant-manifest-schema.js'
export {
  DEFAULT_MEDIA_TYPES,
  TENANT_MANIFEST_SCHEMA_ID,
  TenantManifestSchema,
  TenantSchema,
} from './manifest/tenant-manifest-schema.js'
export { FilesystemObjectStore } from './media/filesystem-object-store.js'
export type { ObjectStore, StoredObject } from './media/object-store.js'
export type { S3ObjectStoreOptions } from './media/s3-object-store.js'
export { S3ObjectStore } from './media/s3-object-store.js'
export type { HttpLimits } from './server/tenant-app.js'
export { DEFAULT_HTTP_LIMITS } from './server/tenant-app.js'
export type { Host, HostTenantStatus } from './start-host.js'
export { startHost } from './start-host.js'
export type { TenantState } from './tenants/tenant-runtime.js'
export type { ManifestChange } from './tenants/tenant-set.js'
