import { isIP } from 'node:net'
import path from 'node:path'
import { toPolicyIssues } from '@codebox/policy'
import type { Logger } from '@codebox/runtime-core'
import { z } from 'zod'
import { type AuditRotation, DEFAULT_AUDIT_ROTATION } from './audit/audit-log.js'
import { HostError } from './host-error.js'
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './server/tenant-app.js'

const Port = z.number().int().min(0).max(65_535)

/** Options of `startHost()`, validated with {@link parseHostOptions}. */
export const HostOptionsSchema = z.strictObject({
  /** The tenant manifest: a JSON file (watched for changes) or the document itself. */
  manifest: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  /** Where each tenant's state lives (`<dataDir>/<tenant>/`). Relative paths resolve against the current directory. */
  dataDir: z.string().min(1),
  /** Address of the tenant listener. Default `127.0.0.1`; anything but loopback needs `allowNonLoopback`. */
  host: z.string().min(1).default('127.0.0.1'),
  /** Port of the tenant listener. Default 0 (ephemeral; read `url`). */
  port: Port.default(0),
  /** Address of the operations listener (`/healthz`, `/readyz`, `/metrics`). Default `127.0.0.1`. */
  opsHost: z.string().min(1).default('127.0.0.1'),
  /** Port of the operations listener. Default 0 (ephemeral; read `opsUrl`). */
  opsPort: Port.default(0),
  /** Bind a non-loopback address: an explicit choice, since the host speaks plain HTTP. Default false. */
  allowNonLoopback: z.boolean().default(false),
  /** Limits of the tenant listener (request head size, head and body timeouts, keep-alive). */
  http: z
    .strictObject({
      maxHeaderBytes: z
        .number()
        .int()
        .min(1024)
        .max(1024 * 1024)
        .optional(),
      headersTimeoutMs: z.number().int().min(100).max(600_000).optional(),
      bodyTimeoutMs: z.number().int().min(100).max(3_600_000).optional(),
      keepAliveTimeoutMs: z.number().int().min(0).max(600_000).optional(),
    })
    .default({}),
  /** Rotation of each tenant's audit trail. */
  audit: z
    .strictObject({
      maxBytes: z.number().int().min(1024).optional(),
      files: z.number().int().min(1).max(1000).optional(),
    })
    .default({}),
  /** Reload the manifest file when it changes (SIGHUP-equivalent). Default true for a file manifest. */
  watchManifest: z.boolean().optional(),
  /** Serve admin operations on `<dataDir>/.codebox-host.sock` (mode 0600) for `codebox host user add` and the like. Default true. */
  adminSocket: z.boolean().default(true),
  /** Resource cache of the tenant runtimes. Default the backend's. */
  cacheDir: z.string().min(1).optional(),
  /** Allow downloads of uncached resources. Default the backend's. */
  download: z.boolean().optional(),
})

/** Options of `startHost()` as a caller writes them. */
export type StartHostOptions = z.input<typeof HostOptionsSchema> & {
  /** Where secrets are read from by name (connector secrets, media tokens, S3 keys). Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Console-shaped logger for lifecycle lines (never a request's content or a secret). Default silent. */
  readonly logger?: Logger
}

/** Validated host options with defaults applied. */
export interface ResolvedHostOptions {
  readonly manifest: string | Record<string, unknown>
  readonly dataDir: string
  readonly host: string
  readonly port: number
  readonly opsHost: string
  readonly opsPort: number
  readonly http: HttpLimits
  readonly audit: AuditRotation
  readonly watchManifest: boolean
  readonly adminSocket: boolean
  readonly cacheDir: string | undefined
  readonly download: boolean | undefined
  readonly env: Readonly<Record<string, string | undefined>>
  readonly logger: Logger
}

/** Whether an address is loopback (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  if (isIP(bare) === 4) return bare.startsWith('127.')
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1'
  return false
}

/**
 * Validates `startHost()` options.
 *
 * @throws {@link HostError} `HOST_OPTIONS_INVALID` with path-precise `issues`, or `HOST_NOT_LOOPBACK` for an address
 *   that is not loopback without `allowNonLoopback`.
 */
export function parseHostOptions(input: StartHostOptions): ResolvedHostOptions {
  const { env, logger, ...rest } = input
  const parsed = HostOptionsSchema.safeParse(rest)
  if (!parsed.success) {
    const issues = toPolicyIssues(HostOptionsSchema, parsed.error)
    throw new HostError(
      'HOST_OPTIONS_INVALID',
      `Invalid host options: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      { details: { issues } },
    )
  }
  const options = parsed.data
  for (const [field, address] of [
    ['host', options.host],
    ['opsHost', options.opsHost],
  ] as const) {
    if (!options.allowNonLoopback && !isLoopback(address)) {
      throw new HostError(
        'HOST_NOT_LOOPBACK',
        `${field} ${JSON.stringify(address)} is not a loopback address; the host speaks plain HTTP behind a gatekeeper. Pass allowNonLoopback (--allow-non-loopback) to bind it anyway.`,
        { details: { field, address } },
      )
    }
  }
  return {
    manifest: typeof options.manifest === 'string' ? path.resolve(options.manifest) : options.manifest,
    dataDir: path.resolve(options.dataDir),
    host: options.host,
    port: options.port,
    opsHost: options.opsHost,
    opsPort: options.opsPort,
    http: { ...DEFAULT_HTTP_LIMITS, ...stripUndefined(options.http) },
    audit: { ...DEFAULT_AUDIT_ROTATION, ...stripUndefined(options.audit) },
    watchManifest: options.watchManifest ?? typeof options.manifest === 'string',
    adminSocket: options.adminSocket,
    cacheDir: options.cacheDir,
    download: options.download,
    env: env ?? process.env,
    logger: logger ?? {},
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>
}
