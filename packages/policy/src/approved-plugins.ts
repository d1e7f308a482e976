import { z } from 'zod'
import { PluginNotApprovedError, PolicyValidationError } from './errors.js'
import { toPolicyIssues } from './zod-issues.js'

/** Schema id of an approved-plugins manifest. */
export const APPROVED_PLUGINS_SCHEMA_ID = 'codebox/approved-plugins/v1'

const SHA256 = /^[0-9a-f]{64}$/

/** One approved plugin release. */
export const ApprovedPluginSchema = z.strictObject({
  slug: z
    .string({ error: 'expected a plugin slug string such as "wp-graphql"' })
    .regex(/^[a-z0-9][a-z0-9_-]*$/, {
      error: (issue) =>
        `${JSON.stringify(issue.input)} is not a plugin slug; use lower-case letters, digits, "-" and "_" (e.g. "wp-graphql")`,
    }),
  version: z
    .string({ error: 'expected a version string such as "1.28.0"' })
    .min(1, {
      error: 'version is empty; give the exact release, e.g. "1.28.0", or leave it out to approve by sha256',
    })
    .optional()
    .meta({
      description:
        'The approved release. Leave it out to approve exactly the package with this sha256 whatever its version: ' +
        'the only way to approve a local plugin whose main file has no "Version:" header.',
    }),
  sha256: z
    .string({ error: 'expected a SHA-256 hex string' })
    .regex(SHA256, { error: 'sha256 must be 64 lower-case hex digits (the SHA-256 of the plugin zip)' }),
})

/** A list of plugin releases that may be installed: `{ schema: 'codebox/approved-plugins/v1', plugins }`. */
export const ApprovedPluginManifestSchema = z
  .strictObject({
    schema: z.literal(APPROVED_PLUGINS_SCHEMA_ID, {
      error: `schema must be "${APPROVED_PLUGINS_SCHEMA_ID}"`,
    }),
    plugins: z
      .array(ApprovedPluginSchema, { error: 'plugins must be an array of { slug, version, sha256 }' })
      .superRefine((plugins, ctx) => {
        const seen = new Set<string>()
        plugins.forEach((plugin, index) => {
          const key =
            plugin.version === undefined
              ? `${plugin.slug} sha256 ${plugin.sha256}`
              : `${plugin.slug}@${plugin.version}`
          if (seen.has(key)) {
            ctx.addIssue({
              code: 'custom',
              path: [index],
              message: `${key} is listed twice; keep one entry per slug and version (or per sha256 without a version)`,
            })
          }
          seen.add(key)
        })
      }),
  })
  .meta({ title: 'codebox approved plugins manifest' })

/** An approved-plugins manifest. */
export type ApprovedPluginManifest = z.infer<typeof ApprovedPluginManifestSchema>
/** One approved plugin release. */
export type ApprovedPlugin = z.infer<typeof ApprovedPluginSchema>

/**
 * Validates an approved-plugins manifest.
 *
 * @throws {@link PolicyValidationError} (subject `approved-plugins`) listing every issue with its JSON path.
 */
export function parseApprovedPluginManifest(input: unknown): ApprovedPluginManifest {
  const result = ApprovedPluginManifestSchema.safeParse(input)
  if (result.success) return result.data
  throw new PolicyValidationError(
    'approved-plugins',
    toPolicyIssues(ApprovedPluginManifestSchema, result.error),
  )
}

/**
 * Throws unless the manifest approves this exact package: an entry with its slug, version and SHA-256, or an entry
 * with its slug and SHA-256 and no version (approval by content). A plugin without a version (a local plugin whose
 * main file has no `Version:` header) can only be approved by content.
 *
 * @param manifest - a validated manifest.
 * @param plugin - the resolved plugin: slug, version (absent when it has none) and SHA-256 (hex) of its package.
 * @throws {@link PluginNotApprovedError} (code `PLUGIN_NOT_APPROVED`) naming what differs and how to approve it.
 */
export function assertPluginApproved(
  manifest: ApprovedPluginManifest,
  plugin: { slug: string; version?: string | undefined; sha256: string },
): void {
  const { slug, version } = plugin
  const sha256 = plugin.sha256.toLowerCase()
  const entry =
    version === undefined
      ? `{ slug: ${JSON.stringify(slug)}, sha256: ${JSON.stringify(sha256)} }`
      : `{ slug: ${JSON.stringify(slug)}, version: ${JSON.stringify(version)}, sha256: ${JSON.stringify(sha256)} }`
  const identified = { slug, version: version ?? null, sha256 }
  const sameSlug = manifest.plugins.filter((candidate) => candidate.slug === slug)
  if (sameSlug.length === 0) {
    throw new PluginNotApprovedError(
      identified,
      'not-listed',
      `Plugin ${JSON.stringify(slug)} is not in the approved-plugins manifest; add ${entry} to its plugins to approve it.`,
    )
  }
  if (sameSlug.some((candidate) => candidate.version === undefined && candidate.sha256 === sha256)) return
  if (version === undefined) {
    const versions = sameSlug.flatMap((c) => (c.version === undefined ? [] : [JSON.stringify(c.version)]))
    throw new PluginNotApprovedError(
      identified,
      versions.length > 0 ? 'version-not-approved' : 'hash-mismatch',
      `Plugin ${JSON.stringify(slug)} has no "Version:" header, so ${versions.length > 0 ? `an entry naming a version (approved: ${versions.join(', ')}) cannot approve it` : 'it is approved by content only, and its SHA-256 differs from every approved one'}; ` +
        `review it and add ${entry} (no version: approval by content) to the manifest.`,
    )
  }
  const release = sameSlug.find((candidate) => candidate.version === version)
  if (release === undefined) {
    const versions = sameSlug.flatMap((c) => (c.version === undefined ? [] : [JSON.stringify(c.version)]))
    throw new PluginNotApprovedError(
      identified,
      'version-not-approved',
      `Plugin ${JSON.stringify(slug)} version ${JSON.stringify(version)} is not approved (approved: ${versions.join(', ') || 'by sha256 only'}); ` +
        `use an approved version or add ${entry} to the manifest.`,
    )
  }
  if (release.sha256 !== sha256) {
    throw new PluginNotApprovedError(
      identified,
      'hash-mismatch',
      `Plugin ${slug}@${version} has SHA-256 ${sha256} but the manifest approves ${release.sha256}; ` +
        'the package differs from the approved one. Use the approved package, or review it and update the manifest.',
    )
  }
}
