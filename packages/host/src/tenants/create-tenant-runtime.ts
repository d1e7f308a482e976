import { type PlaygroundCommands, type PlaygroundOptions, playground } from '@codebox/backend-playground'
import type { ApprovedPluginManifest } from '@codebox/policy'
import { createRuntime, type Logger, type Runtime } from '@codebox/runtime-core'
import type { TenantConfig } from '../manifest/tenant-manifest-schema.js'
import { HOST_MU_PLUGIN_FILE, HOST_MU_PLUGIN_PHP } from './host-mu-plugin.js'
import type { TenantPaths } from './tenant-paths.js'

/** A tenant's runtime: the Playground backend's commands. */
export type TenantRuntimeHandle = Runtime<PlaygroundCommands>

/** What the host passes down to every tenant runtime it creates. */
export interface TenantRuntimeEnvironment {
  /** The approved plugin releases (the manifest's `approvedPlugins`). */
  readonly approvedPlugins: ApprovedPluginManifest
  /** Where secrets are read from by name. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Resource cache of the backend. Default the backend's. */
  readonly cacheDir?: string | undefined
  /** Allow downloads of uncached resources. Default the backend's. */
  readonly download?: boolean | undefined
  readonly logger: Logger
}

/** The only commands a tenant runtime may run: serving requests, and the host's own PHP (users, media). */
const TENANT_COMMANDS = ['wordpress.http-request', 'wordpress.run-php']

/**
 * The backend options of a tenant: its WordPress and PHP, approved plugins pinned by hash, guardrails, PHP memory,
 * the durable database under its data directory, and the host's must-use plugin.
 */
export function tenantBackendOptions(
  tenant: TenantConfig,
  paths: TenantPaths,
  environment: TenantRuntimeEnvironment,
): PlaygroundOptions {
  const approved = new Map(
    environment.approvedPlugins.plugins.map((plugin) => [`${plugin.slug}@${plugin.version}`, plugin.sha256]),
  )
  return {
    wordpress: tenant.wordpress,
    php: tenant.php,
    siteUrl: tenant.siteUrl ?? `https://${tenant.domains[0]}`,
    memoryLimit: tenant.limits.phpMemory,
    plugins: tenant.plugins.map((plugin) => ({
      slug: plugin.slug,
      version: plugin.version,
      sha256: approved.get(`${plugin.slug}@${plugin.version}`) as string,
    })),
    approvedPlugins: environment.approvedPlugins,
    graphql: tenant.graphql,
    database: { directory: paths.database },
    muPlugins: { [HOST_MU_PLUGIN_FILE]: HOST_MU_PLUGIN_PHP },
    ...(environment.cacheDir === undefined ? {} : { cacheDir: environment.cacheDir }),
    ...(environment.download === undefined ? {} : { download: environment.download }),
  }
}

/**
 * Creates a tenant's runtime (or restores one from `from`, a snapshot): its own PHP worker, database, secrets and
 * policy — only the host's commands, the tenant's network allow-list, its connectors' secrets and nothing else.
 */
export async function createTenantRuntime(
  tenant: TenantConfig,
  paths: TenantPaths,
  environment: TenantRuntimeEnvironment,
  options: { readonly from?: Uint8Array | undefined; readonly signal?: AbortSignal | undefined } = {},
): Promise<TenantRuntimeHandle> {
  return createRuntime({
    backend: playground(tenantBackendOptions(tenant, paths, environment)),
    policy: {
      commands: { allow: TENANT_COMMANDS },
      network: tenant.network,
      secrets: tenant.connectors.length > 0 ? 'connector-scoped' : 'none',
    },
    connectors: tenant.connectors,
    env: environment.env,
    logger: environment.logger,
    metadata: { tenant: tenant.id },
    // The host stops its tenants itself on SIGTERM (draining first); the registry's handler would kill them early.
    cleanupOnExit: false,
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  }) as Promise<TenantRuntimeHandle>
}
