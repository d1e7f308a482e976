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
    .min(1, { error: 'version is empty; give the exact release, e.g. "1.28.0"' }),
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
          const key = `${plugin.slug}@${plugin.version}`
          if (seen.has(key)) {
            ctx.addIssue({
              code: 'custom',
              path: [index],
              message: `${key} is listed twice; keep one entry per slug and version`,
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
 * Throws unless the manifest lists this exact plugin release with this exact hash.
 *
 * @param manifest - a validated manifest.
 * @param plugin - the resolved plugin: slug, version and SHA-256 (hex) of its package.
 * @throws {@link PluginNotApprovedError} (code `PLUGIN_NOT_APPROVED`) naming what differs and how to approve it.
 */
export function assertPluginApproved(
  manifest: ApprovedPluginManifest,
  plugin: { slug: string; version: string; sha256: string },
): void {
  const { slug, version } = plugin
  const sha256 = plugin.sha256.toLowerCase()
  const entry = `{ slug: ${JSON.stringify(slug)}, version: ${JSON.stringify(version)}, sha256: ${JSON.stringify(sha256)} }`
  const sameSlug = manifest.plugins.filter((candidate) => candidate.slug === slug)
  if (sameSlug.length === 0) {
    throw new PluginNotApprovedError(
      plugin,
      'not-listed',
      `Plugin ${JSON.stringify(slug)} is not in the approved-plugins manifest; add ${entry} to its plugins to approve it.`,
    )
  }
  const release = sameSlug.find((candidate) => candidate.version === version)
  if (release === undefined) {
    const versions = sameSlug.map((candidate) => JSON.stringify(candidate.version)).join(', ')
    throw new PluginNotApprovedError(
      plugin,
      'version-not-approved',
      `Plugin ${JSON.stringify(slug)} version ${JSON.stringify(version)} is not approved (approved: ${versions}); ` +
        `use an approved version or add ${entry} to the manifest.`,
    )
  }
  if (release.sha256 !== sha256) {
    throw new PluginNotApprovedError(
      plugin,
      'hash-mismatch',
      `Plugin ${slug}@${version} has SHA-256 ${sha256} but the manifest approves ${release.sha256}; ` +
        'the package differs from the approved one. Use the approved package, or review it and update the manifest.',
    )
  }
}
