import { type Host, startHost } from '@codebox/host'
import type { Logger } from '@codebox/runtime-core'
import { type CliIo, reportError, writeJson } from '../cli-output.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'
import { onInterrupt } from '../interrupt-signals.js'

/** Options of `codebox host`. */
export interface HostCommandOptions {
  /** The tenant manifest file (`codebox/tenant-manifest/v1`). */
  readonly tenants: string
  /** The data directory: one directory per tenant (database, media, audit trail, snapshots). */
  readonly data: string
  /** Port of the tenant listener. Default 0 (ephemeral, printed). */
  readonly port?: number
  /** Address of the tenant listener. Default `127.0.0.1`. */
  readonly host?: string
  /** Port of the operations listener (`/healthz`, `/readyz`, `/metrics`). Default 0. */
  readonly opsPort?: number
  /** Address of the operations listener. Default `127.0.0.1`. */
  readonly opsHost?: string
  /** Allow binding a non-loopback address. */
  readonly allowNonLoopback?: boolean
  readonly json?: boolean
  readonly offline?: boolean
  readonly cacheDir?: string
}

/** The `result` of `codebox host --json`, printed once every tenant has started. */
export interface HostCommandResult {
  readonly url: string
  readonly opsUrl: string
  readonly dataDir: string
  readonly tenants: ReturnType<Host['tenants']>
}

function stderrLogger(io: CliIo): Logger {
  const line = (level: string) => (message: string) => io.stderr.write(`codebox host: ${level}${message}\n`)
  return { info: line(''), warn: line('warning: '), error: line('error: ') }
}

/**
 * `codebox host`: serves every tenant of the manifest (GraphQL, REST and media ingest, routed by `Host`) until
 * SIGINT or SIGTERM, then stops gracefully (requests in flight finish, databases stay synced) and exits 0. SIGHUP
 * (or an edit of the manifest file) reloads the manifest; an invalid one is reported and the running set kept.
 */
export async function hostCommand(options: HostCommandOptions, io: CliIo): Promise<ExitCode> {
  const json = options.json === true
  let interrupted = false
  let host: Host | undefined
  let wake: (() => void) | undefined
  const stopListening = onInterrupt((count) => {
    if (count > 1) process.exit(EXIT_CODES.INTERRUPTED)
    interrupted = true
    wake?.()
  })
  const onHangup = () => {
    if (!host) return
    host.reload().catch(() => {
      // startHost's logger has printed the manifest's issues; the running tenants are kept.
    })
  }
  process.on('SIGHUP', onHangup)
  try {
    host = await startHost({
      manifest: options.tenants,
      dataDir: options.data,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.opsPort === undefined ? {} : { opsPort: options.opsPort }),
      ...(options.opsHost === undefined ? {} : { opsHost: options.opsHost }),
      ...(options.allowNonLoopback ? { allowNonLoopback: true } : {}),
      ...(options.offline ? { download: false } : {}),
      ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
      logger: stderrLogger(io),
    })
    const result: HostCommandResult = {
      url: host.url,
      opsUrl: host.opsUrl,
      dataDir: host.dataDir,
      tenants: host.tenants(),
    }
    if (json) writeJson(io, { command: 'host', ok: true, exitCode: EXIT_CODES.OK, result, error: null })
    else {
      for (const tenant of result.tenants) {
        io.stdout.write(
          `tenant ${tenant.id} (${tenant.domains.join(', ')}): ${tenant.state}${tenant.failure ? ` — ${tenant.failure}` : ''}\n`,
        )
      }
      io.stdout.write(
        `serving ${result.url} (send each tenant's Host); ops on ${result.opsUrl} (Ctrl-C to stop)\n`,
      )
    }
    if (!interrupted) await new Promise<void>((resolve) => (wake = resolve))
    if (!json) io.stderr.write('codebox host: stopping (requests in flight finish first)\n')
    await host.close()
    return EXIT_CODES.OK
  } catch (error) {
    await host?.close()
    return reportError(io, 'host', error, json)
  } finally {
    process.off('SIGHUP', onHangup)
    stopListening()
  }
}
