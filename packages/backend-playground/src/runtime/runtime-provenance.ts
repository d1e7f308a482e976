import { createRequire } from 'node:module'
import type { ProvenanceComponent, RuntimeProvenance } from '@codebox/runtime-core'
import type { ResolvedPlaygroundOptions } from '../playground-options.js'
import type { ResolvedPlugin, ResolvedTool } from '../resources/index.js'
import type { WordPressTemplate } from '../site/prepare-template.js'
import { type PhpRuntimeManifest, phpRuntimeComponents } from '../worker/php-runtime-manifest.js'

const require = createRequire(import.meta.url)

/** This package's version, recorded in provenance. */
export const BACKEND_VERSION: string = (require('../../package.json') as { version: string }).version

/** The installed `@php-wasm/node` version, recorded in every runtime's provenance (read, not assumed). */
export const PHP_WASM_NODE_VERSION: string = (require('@php-wasm/node/package.json') as { version: string })
  .version

/**
 * What a runtime is made of at create: backend, PHP runtime (the `.wasm` module and every extension `.so`, by
 * digest, when `phpRuntime` is given), WordPress core and SQLite layers with their digests, and every plugin with
 * where it came from.
 */
export function runtimeProvenance(
  options: Pick<ResolvedPlaygroundOptions, 'php' | 'wordpress'>,
  template: WordPressTemplate,
  plugins: readonly ResolvedPlugin[],
  phpRuntime?: PhpRuntimeManifest,
): RuntimeProvenance {
  const components: ProvenanceComponent[] = [
    { kind: 'backend', name: '@codebox/backend-playground', version: BACKEND_VERSION },
    { kind: 'runtime', name: '@php-wasm/node', version: PHP_WASM_NODE_VERSION },
    { kind: 'php', name: 'php', version: options.php },
    // The module actually loaded and every extension its package ships, by digest (see `codebox runtime manifest`).
    ...(phpRuntime ? phpRuntimeComponents(phpRuntime) : []),
    {
      kind: 'wordpress',
      name: 'wordpress',
      version: template.wordpressVersion,
      sha256: `sha256:${template.coreSha256}`,
      source: options.wordpress,
    },
    {
      kind: 'plugin',
      name: 'sqlite-database-integration',
      sha256: `sha256:${template.sqliteSha256}`,
      source: '@wp-playground/wordpress-builds',
    },
    ...plugins.map(
      (plugin): ProvenanceComponent => ({
        kind: 'plugin',
        name: plugin.slug,
        // A local plugin without a `Version:` header is named by its sha256 alone.
        ...(plugin.version === undefined ? {} : { version: plugin.version }),
        sha256: plugin.sha256,
        source: plugin.origin,
      }),
    ),
  ]
  return { backend: { name: 'playground', version: BACKEND_VERSION }, components }
}

/** Adds wp-cli to a runtime's provenance once a `wordpress.wp-cli` command resolved it. */
export function withWpCli(provenance: RuntimeProvenance, tool: ResolvedTool | undefined): RuntimeProvenance {
  if (!tool) return provenance
  return {
    ...provenance,
    components: [
      ...provenance.components,
      { kind: 'tool', name: 'wp-cli', version: tool.version, sha256: tool.sha256, source: tool.origin },
    ],
  }
}
