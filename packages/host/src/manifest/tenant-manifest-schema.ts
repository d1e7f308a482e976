import { GraphqlGuardrailsSchema, SUPPORTED_PHP_VERSIONS } from '@codebox/backend-playground'
import {
  ApprovedPluginManifestSchema,
  ConnectorDeclarationSchema,
  NetworkPolicySchema,
  SecretNameSchema,
} from '@codebox/policy'
import { z } from 'zod'
import { crossTenantIssues } from './cross-tenant-rules.js'

/** Schema id of a tenant manifest. */
export const TENANT_MANIFEST_SCHEMA_ID = 'codebox/tenant-manifest/v1'

/**
 * PHP constants a connector secret must not be named like: a secret becomes a PHP constant of its own name in the
 * tenant's runtime, so one named like a WordPress or codebox setting could switch a rule off.
 */
const RESERVED_CONSTANT = /^(?:CODEBOX_|WP_|DISALLOW_|DB_|AUTH_|SECURE_AUTH_|LOGGED_IN_|NONCE_|FORCE_SSL_)/
const RESERVED_CONSTANTS = new Set([
  'ABSPATH',
  'AUTOMATIC_UPDATER_DISABLED',
  'DISABLE_WP_CRON',
  'ALTERNATE_WP_CRON',
  'COOKIE_DOMAIN',
  'UPLOADS',
  'CONCATENATE_SCRIPTS',
  'SCRIPT_DEBUG',
  'SAVEQUERIES',
])

/** An environment variable name: where the host reads a secret, so the manifest never holds one. */
export const EnvNameSchema = SecretNameSchema.meta({
  description:
    'Name of an environment variable of the host process holding the value (never the value itself).',
})

/** A tenant id: lower-case letters, digits and `-`; the name of its data directory and its metrics label. */
export const TenantIdSchema = z
  .string({ error: 'expected a tenant id string such as "acme"' })
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a tenant id; use 1 to 40 lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. "acme")`,
  })

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** A domain the tenant answers for: a lower-case DNS name without port, scheme or trailing dot. */
export const DomainSchema = z
  .string({ error: 'expected a domain string such as "acme.example.com"' })
  .superRefine((domain, ctx) => {
    const problem =
      domain.length === 0 || domain.length > 253
        ? 'a domain has 1 to 253 characters'
        : domain !== domain.toLowerCase()
          ? `write it in lower case: ${JSON.stringify(domain.toLowerCase())}`
          : domain.includes(':') || domain.includes('/')
            ? 'give the bare domain, without scheme, port or path (e.g. "acme.example.com")'
            : domain.endsWith('.')
              ? 'remove the trailing dot'
              : domain.split('.').every((label) => LABEL.test(label))
                ? undefined
                : 'use DNS labels of letters, digits and "-" separated by dots (e.g. "acme.example.com")'
    if (problem)
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(domain)}: ${problem}`, input: domain })
  })

/** A plugin the tenant runs: a slug and version listed in the manifest's `approvedPlugins`. */
export const TenantPluginSchema = z.strictObject({
  slug: z.string({ error: 'expected a plugin slug string such as "wp-graphql"' }).min(1),
  version: z.string({ error: 'expected the exact approved version, e.g. "2.5.3"' }).min(1),
})

const PublicBaseUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as "https://media.example.com/acme"' })
  .meta({
    description: 'Public URL prefix under which stored objects are served; the object key is appended.',
  })

/** Where ingested media objects go: a directory on the host (default) or an S3-compatible bucket. */
export const MediaStoreSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('filesystem'),
      /** Absolute host directory. Default `<data>/<tenant>/media`. */
      directory: z
        .string()
        .refine((path) => path.startsWith('/') && !path.split('/').includes('..'), {
          error: 'must be an absolute host path without ".." segments',
        })
        .optional(),
      publicBaseUrl: PublicBaseUrlSchema,
    }),
    z.strictObject({
      kind: z.literal('s3'),
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
        error: 'must be an S3 bucket name (3 to 63 lower-case letters, digits, "." and "-")',
      }),
      /** Default `us-east-1`. */
      region: z.string().min(1).default('us-east-1'),
      /** An S3-compatible endpoint such as `http://127.0.0.1:4568`; default AWS. */
      endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
      /** Path-style addressing (most S3-compatible servers need it). Default false. */
      forcePathStyle: z.boolean().default(false),
      accessKeyIdEnv: EnvNameSchema,
      secretAccessKeyEnv: EnvNameSchema,
      publicBaseUrl: PublicBaseUrlSchema,
    }),
  ],
  { error: 'store must be { kind: "filesystem", publicBaseUrl } or { kind: "s3", bucket, … }' },
)

/** Media types media ingest accepts by default (checked by magic bytes, never by the declared type). */
export const DEFAULT_MEDIA_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'application/pdf',
] as const

/** Media ingest (`POST /_codebox/media`) of one tenant. Without it the tenant has no ingest endpoint. */
export const TenantMediaSchema = z.strictObject({
  /** The environment variable holding the tenant's bearer token (the token itself never goes in the manifest). */
  tokenEnv: EnvNameSchema,
  /** Largest object accepted, in bytes. Default 10 MiB. */
  maxBytes: z
    .number()
    .int()
    .min(1)
    .max(1024 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  /** Accepted media types, detected from the bytes. Default JPEG, PNG, GIF, WebP, AVIF, PDF. */
  types: z
    .array(z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/, { error: 'must be a media type such as "image/png"' }))
    .min(1)
    .default([...DEFAULT_MEDIA_TYPES]),
  store: MediaStoreSchema,
})

/** Per-tenant limits. Every field has a default. */
export const TenantLimitsSchema = z.strictObject({
  /** Requests forwarded to the tenant's runtime at once. Default 2. */
  maxConcurrent: z.number().int().min(1).max(64).default(2),
  /** Requests allowed to wait for a slot; beyond it the host answers 503. Default 32. */
  maxQueued: z.number().int().min(0).max(10_000).default(32),
  /** Deadline of a request from arrival, queueing included, in milliseconds; then 504. Default 30 000. */
  requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  /** Largest REST request body in bytes (GraphQL uses `graphql.maxBodyBytes`). Default 1 MiB. */
  maxBodyBytes: z
    .number()
    .int()
    .min(256)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /** PHP `memory_limit` of the tenant's runtime. Default `'256M'`. */
  phpMemory: z
    .string()
    .regex(/^\d+[KMG]?$/, { error: 'must look like "256M"' })
    .default('256M'),
})

/** One tenant: its own runtime, database, media namespace, secrets, logs and limits. */
export const TenantSchema = z.strictObject({
  id: TenantIdSchema,
  /** Host names routed to this tenant (the `Host` header, port ignored). At least one; unique across tenants. */
  domains: z.array(DomainSchema).min(1, { error: 'list at least one domain, e.g. ["acme.example.com"]' }),
  /**
   * The public URL WordPress builds links with (TLS is the gatekeeper's job in front of the host). Default
   * `https://<first domain>`.
   */
  siteUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as "https://acme.example.com"' })
    .optional(),
  /** WordPress version (see `playground({ wordpress })`). Default `'6.5'`. */
  wordpress: z.string().min(1).default('6.5'),
  /** PHP version. Default `'8.3'`. */
  php: z
    .enum(SUPPORTED_PHP_VERSIONS, { error: `must be one of ${SUPPORTED_PHP_VERSIONS.join(', ')}` })
    .default('8.3'),
  /** Plugins installed and activated, each listed in the manifest's `approvedPlugins`. Default none. */
  plugins: z.array(TenantPluginSchema).default([]),
  /** GraphQL guardrails (depth, complexity, page size, body). Defaults as `playground({ graphql })`. */
  graphql: GraphqlGuardrailsSchema.prefault({}),
  /** Outbound network of the tenant's WordPress: `'deny'` (default) or `{ allowHosts }`. */
  network: NetworkPolicySchema.default('deny'),
  /** Connectors whose secrets (read from the host's environment by name) become PHP constants. Default none. */
  connectors: z.array(ConnectorDeclarationSchema).default([]),
  limits: TenantLimitsSchema.prefault({}),
  media: TenantMediaSchema.optional(),
  /** Automatic snapshots before destructive admin operations: how many to keep. Default 5. */
  snapshots: z.strictObject({ keep: z.number().int().min(1).max(1000).default(5) }).prefault({}),
})

/**
 * A tenant manifest, `codebox/tenant-manifest/v1`: the approved plugin releases (a `codebox/approved-plugins/v1`
 * manifest) and the tenants. Cross-tenant rules: ids, domains and environment variable names are each used by one
 * tenant only; every tenant plugin is approved; no connector secret is named like a WordPress or codebox constant.
 */
export const TenantManifestSchema = z
  .strictObject({
    schema: z.literal(TENANT_MANIFEST_SCHEMA_ID, { error: `schema must be "${TENANT_MANIFEST_SCHEMA_ID}"` }),
    /** The plugin releases tenants may use, pinned by version and SHA-256. Default none approved. */
    approvedPlugins: ApprovedPluginManifestSchema.default({
      schema: 'codebox/approved-plugins/v1',
      plugins: [],
    }),
    tenants: z.array(TenantSchema, { error: 'tenants must be an array of tenant objects' }),
  })
  .superRefine((manifest, ctx) => {
    for (const issue of crossTenantIssues(manifest, RESERVED_CONSTANT, RESERVED_CONSTANTS)) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message })
    }
  })
  .meta({ title: 'codebox tenant manifest', description: 'Tenants of a codebox headless GraphQL host.' })

/** A tenant manifest as written (defaults not applied). */
export type TenantManifestInput = z.input<typeof TenantManifestSchema>
/** A validated tenant manifest, defaults applied. */
export type TenantManifest = z.output<typeof TenantManifestSchema>
/** One validated tenant. */
export type TenantConfig = z.output<typeof TenantSchema>
/** A tenant's media ingest settings. */
export type TenantMediaConfig = z.output<typeof TenantMediaSchema>
/** Where a tenant's media objects are stored. */
export type MediaStoreConfig = z.output<typeof MediaStoreSchema>
