import type { ProvenanceComponent } from '@codebox/runtime-core'
import type { ResolvedResource } from './resource-resolver.js'

/** The provenance record of a resolved plugin or tool: kind, slug, version, `sha256:<hex>` and where it came from. */
export function toProvenanceComponent(
  resource: ResolvedResource & { readonly kind: Exclude<ResolvedResource['kind'], 'phpunit'> },
): ProvenanceComponent {
  return {
    kind: resource.kind,
    name: resource.slug,
    version: resource.version,
    sha256: resource.sha256,
    source: `${resource.origin}:${resource.source}`,
  }
}
