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
 * Refuses a plugin missing from the approved-plugins manifest; every plugin passes when there is none.
 *
 * @throws `PluginNotApprovedError` (`@codebox/policy`) `PLUGIN_NOT_APPROVED`.
 */
export function checkApproved(
  manifest: ApprovedPluginManifest | undefined,
  slug: string,
  version: string,
  sha256: string,
): void {
  if (manifest === undefined) return
  assertPluginApproved(manifest, { slug, version, sha256: sha256.replace(/^sha256:/, '') })
}

/**
 * The plugin's version: its `Version:` header, else the spec's; both must agree when both exist.
 *
 * @throws {@link ResourceVersionMismatchError} when the header names another version.
 * @throws {@link ResourceSpecError} when neither gives a usable version.
 */
export function versionFromHeader(
  spec: { slug: string; version: string | undefined },
  headerVersion: string | undefined,
  location: string,
): string {
  if (spec.version !== undefined && headerVersion !== undefined && spec.version !== headerVersion) {
    throw new ResourceVersionMismatchError(
      `plugin:${spec.slug}@${spec.version}`,
      spec.version,
      headerVersion,
      location,
    )
  }
  const version = headerVersion ?? spec.version
  if (version === undefined || !isResourceVersion(version)) {
    throw new ResourceSpecError('plugin spec', [
      {
        path: '$.version',
        message: `${location} has no usable "Version:" header; give the version in the spec (or cacheAdd options)`,
      },
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
