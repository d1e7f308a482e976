/** One rule broken across tenants, at a zod-style path. */
export interface CrossTenantIssue {
  readonly path: (string | number)[]
  readonly message: string
}

/** The parts of a parsed manifest the cross-tenant rules read (structural, so the schema can import this file). */
interface ManifestShape {
  readonly approvedPlugins: {
    /** An entry without a version approves a plugin that declares none, known by its sha256 only. */
    readonly plugins: readonly { readonly slug: string; readonly version?: string | undefined }[]
  }
  readonly tenants: readonly {
    readonly id: string
    readonly domains: readonly string[]
    readonly plugins: readonly { readonly slug: string; readonly version: string }[]
    readonly connectors: readonly { readonly secrets: readonly string[] }[]
    readonly media?:
      | {
          readonly tokenEnv: string
          readonly store: {
            readonly kind: string
            readonly accessKeyIdEnv?: string
            readonly secretAccessKeyEnv?: string
          }
        }
      | undefined
  }[]
}

/** Every environment variable a tenant reads, with the path that names it. */
function envReferences(
  tenant: ManifestShape['tenants'][number],
): { name: string; path: (string | number)[] }[] {
  const out: { name: string; path: (string | number)[] }[] = []
  tenant.connectors.forEach((connector, c) => {
    connector.secrets.forEach((name, s) => {
      out.push({ name, path: ['connectors', c, 'secrets', s] })
    })
  })
  if (tenant.media) {
    out.push({ name: tenant.media.tokenEnv, path: ['media', 'tokenEnv'] })
    const { store } = tenant.media
    if (store.accessKeyIdEnv)
      out.push({ name: store.accessKeyIdEnv, path: ['media', 'store', 'accessKeyIdEnv'] })
    if (store.secretAccessKeyEnv) {
      out.push({ name: store.secretAccessKeyEnv, path: ['media', 'store', 'secretAccessKeyEnv'] })
    }
  }
  return out
}

/**
 * The rules no single tenant can check: unique ids and domains, each environment variable read by one tenant only
 * (separate secrets), every plugin approved with one version per slug, and no connector secret named like a PHP
 * constant WordPress or codebox relies on.
 */
export function crossTenantIssues(
  manifest: ManifestShape,
  reservedPrefix: RegExp,
  reservedNames: ReadonlySet<string>,
): CrossTenantIssue[] {
  const issues: CrossTenantIssue[] = []
  const ids = new Map<string, number>()
  const domains = new Map<string, number>()
  const envOwners = new Map<string, number>()
  const approved = new Set(
    manifest.approvedPlugins.plugins.map((plugin) => `${plugin.slug}@${plugin.version ?? ''}`),
  )
  manifest.tenants.forEach((tenant, t) => {
    const at = (...path: (string | number)[]) => ['tenants', t, ...path]
    const earlier = ids.get(tenant.id)
    if (earlier !== undefined) {
      issues.push({
        path: at('id'),
        message: `tenant id "${tenant.id}" is already used by $.tenants[${earlier}]`,
      })
    } else ids.set(tenant.id, t)

    tenant.domains.forEach((domain, d) => {
      const owner = domains.get(domain)
      if (owner === t) {
        issues.push({ path: at('domains', d), message: `domain "${domain}" is listed twice; list it once` })
      } else if (owner !== undefined) {
        const name = manifest.tenants[owner]?.id
        issues.push({
          path: at('domains', d),
          message: `domain "${domain}" already routes to tenant "${name}" ($.tenants[${owner}]); a domain belongs to one tenant`,
        })
      } else domains.set(domain, t)
    })

    const slugs = new Set<string>()
    tenant.plugins.forEach((plugin, p) => {
      if (slugs.has(plugin.slug)) {
        issues.push({
          path: at('plugins', p),
          message: `plugin "${plugin.slug}" is listed twice; keep one version`,
        })
      }
      slugs.add(plugin.slug)
      if (!approved.has(`${plugin.slug}@${plugin.version}`)) {
        issues.push({
          path: at('plugins', p),
          message: `${plugin.slug}@${plugin.version} is not in $.approvedPlugins; add { slug, version, sha256 } there to approve it`,
        })
      }
    })

    for (const reference of envReferences(tenant)) {
      const owner = envOwners.get(reference.name)
      if (owner !== undefined && owner !== t) {
        issues.push({
          path: at(...reference.path),
          message: `environment variable ${reference.name} is already read by tenant "${manifest.tenants[owner]?.id}" ($.tenants[${owner}]); give each tenant its own secrets`,
        })
      } else envOwners.set(reference.name, t)
    }
    tenant.connectors.forEach((connector, c) => {
      connector.secrets.forEach((name, s) => {
        if (reservedPrefix.test(name) || reservedNames.has(name)) {
          issues.push({
            path: at('connectors', c, 'secrets', s),
            message: `${name} would become a PHP constant WordPress or codebox relies on; rename the secret (e.g. "ACME_${name}")`,
          })
        }
      })
    })
  })
  return issues
}
