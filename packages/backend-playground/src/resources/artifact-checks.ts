import { type ApprovedPluginManifest, assertPluginApproved } from '@codebox/policy'
import {
  ResourceArchiveError,
  ResourceIntegrityError,
  ResourceSpecError,
  ResourceVersionMismatchError,
} from './resource-errors.js'
import { isResourceVersion } from './resource-spec.js'

/**
 * Refuses an artifact whose hash differs from the spec's pinned `sha256`; runs before anything is cached.
 *
 * @throws {@link ResourceIntegrityError} `RESOURCE_INTEGRITY_MISMATCH`.
 */
export function checkPin(key: string, expected: string | undefined, actual: string, location: string): void {
  if (expected === undefined || expected === actual) return
  throw new ResourceIntegrityError(
    key,
    expected,
    actual,
    `${key} from ${location} has ${actual}, but the spec pins ${expected}. Refusing it (nothing was cached); ` +
      'check the source, or update the pinned sha256 after reviewing the artifact.',
    { location },
  )
}

/**
 * Refuses a plugin missing from the approved-plugins manifest; every plugin passes when there is none. A plugin
 * without a version can only be approved by an entry that names its SHA-256 and no version.
 *
 * @throws `PluginNotApprovedError` (`@codebox/policy`) `PLUGIN_NOT_APPROVED`.
 */
export function checkApproved(
  manifest: ApprovedPluginManifest | undefined,
  slug: string,
  version: string | undefined,
  sha256: string,
): void {
  if (manifest === undefined) return
  assertPluginApproved(manifest, {
    slug,
    ...(version === undefined ? {} : { version }),
    sha256: sha256.replace(/^sha256:/, ''),
  })
}

/** A plugin's name for messages: `slug@version`, or `slug (sha256:<first 12>)` when it has no version. */
export function pluginLabel(plugin: { slug: string; version: string | undefined; sha256: string }): string {
  return plugin.version === undefined
    ? `${plugin.slug} (${plugin.sha256.slice(0, 'sha256:'.length + 12)})`
    : `${plugin.slug}@${plugin.version}`
}

/**
 * The plugin's version: its `Version:` header, else the spec's; both must agree when both exist.
 *
 * A local source (`origin: 'local'`, a directory or zip used in place) needs no version: without a usable header
 * and without a spec version it is `undefined`, and the plugin is known by its SHA-256. A spec that names a version
 * cannot match such a plugin. The cache files plugins by version, so anything cached (`cache`, `download`,
 * `cache-add`) must have one.
 *
 * @throws {@link ResourceVersionMismatchError} when the header names another version, or a local plugin without
 * one was requested by version.
 * @throws {@link ResourceSpecError} when a plugin to be cached has no usable version.
 */
export function versionFromHeader(
  spec: { slug: string; version: string | undefined },
  headerVersion: string | undefined,
  location: string,
  origin: 'local' | 'cache' | 'download' | 'cache-add',
): string | undefined {
  const usableHeader =
    headerVersion !== undefined && isResourceVersion(headerVersion) ? headerVersion : undefined
  if (spec.version !== undefined && headerVersion !== undefined && spec.version !== headerVersion) {
    throw new ResourceVersionMismatchError(
      `plugin:${spec.slug}@${spec.version}`,
      spec.version,
      headerVersion,
      location,
    )
  }
  if (origin === 'local') {
    if (spec.version !== undefined && usableHeader === undefined) {
      throw new ResourceVersionMismatchError(
        `plugin:${spec.slug}@${spec.version}`,
        spec.version,
        undefined,
        location,
      )
    }
    return usableHeader
  }
  const version = usableHeader ?? spec.version
  if (version === undefined || !isResourceVersion(version)) {
    const fix =
      origin === 'cache-add'
        ? 'pass the version (`codebox cache add <path> --version 1.0.0`, or cacheAdd(path, { version })), since the ' +
          'cache files plugins by version; or skip the cache and use it in place as a local source ' +
          "(playground({ plugins: [{ slug, source: '<path>' }] }) or a recipe's extra_plugins source), which needs no version"
        : 'give the exact version in the spec (e.g. "my-plugin@1.0.0"), or use it in place as a local source, which needs no version'
    throw new ResourceSpecError('plugin spec', [
      { path: '$.version', message: `${location} has no usable "Version:" header; ${fix}` },
    ])
  }
  return version
}

/** The error for a zip or directory that WordPress would not recognise as a plugin. */
export function noPluginHeader(location: string): ResourceArchiveError {
  return new ResourceArchiveError(
    'no-plugin-header',
    `${location} has no top-level PHP file with a "Plugin Name:" header, so WordPress would not see a plugin. ` +
      'Check that it is a plugin zip or directory (the main file sits at its top level).',
    { location },
  )
}
