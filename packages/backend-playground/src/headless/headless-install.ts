import type { RuntimePolicy } from '@codebox/policy'
import type { RuntimeEventInput } from '@codebox/runtime-core'
import type { PhpLogEntry } from '../worker/php-worker-protocol.js'
import type { ResolvedGraphqlGuardrails } from './graphql-guardrails-options.js'
import { GRAPHQL_GUARDRAILS_PHP } from './graphql-guardrails-php.js'
import type { ResolvedHeadlessOptions } from './headless-options.js'
import { HEADLESS_POLICY_PACK_PHP } from './headless-policy-pack.js'

const MU_PLUGINS = '/wordpress/wp-content/mu-plugins'
/** Where the headless policy pack is installed. */
export const HEADLESS_PACK_PATH = `${MU_PLUGINS}/codebox-headless.php`
/** Where the GraphQL guardrails are installed. */
export const GRAPHQL_GUARDRAILS_PATH = `${MU_PLUGINS}/codebox-graphql-guardrails.php`
const BLOCKED_PREFIX = '[codebox:network.blocked] '

/** One canonical allow-list entry as the PHP side matches it. */
interface PhpHostEntry {
  readonly kind: 'exact' | 'wildcard'
  readonly host: string
  readonly port?: number
}

/** Canonical host like a WHATWG URL parser (the same form `@codebox/policy` compares), or undefined. */
function canonical(host: string): string | undefined {
  try {
    const url = new URL(`http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}/`)
    if (url.port !== '' || url.username !== '' || url.pathname !== '/') return undefined
    const name = url.hostname
    return name.endsWith('.') ? name.slice(0, -1) : name
  } catch {
    return undefined
  }
}

/** Parses an already validated `allowHosts` entry (`host`, `*.host`, `host:port`, `[v6]:port`); invalid ones are skipped. */
function hostEntry(entry: string): PhpHostEntry | undefined {
  const v6 = /^(\[[^\]]+\])(?::(\d{1,5}))?$/.exec(entry)
  let host = entry
  let port: number | undefined
  if (v6) {
    host = v6[1] as string
    port = v6[2] === undefined ? undefined : Number(v6[2])
  } else {
    const at = entry.lastIndexOf(':')
    if (at >= 0) {
      if (!/^\d{1,5}$/.test(entry.slice(at + 1))) return undefined
      host = entry.slice(0, at)
      port = Number(entry.slice(at + 1))
    }
  }
  const kind = host.startsWith('*.') ? 'wildcard' : 'exact'
  const canonicalHost = canonical(kind === 'wildcard' ? host.slice(2) : host)
  if (canonicalHost === undefined || (port !== undefined && (port < 1 || port > 65535))) return undefined
  return port === undefined ? { kind, host: canonicalHost } : { kind, host: canonicalHost, port }
}

/**
 * PHP constants carrying the pack's configuration as JSON (`CODEBOX_HEADLESS`, `CODEBOX_GRAPHQL_GUARDRAILS`), plus
 * `DISABLE_WP_CRON: false` when the cron rule is off (the worker defines it true by default). User constants given in
 * `userConstants` win over the cron default but never over the configuration constants.
 */
export function headlessConstants(
  headless: ResolvedHeadlessOptions | false,
  graphql: ResolvedGraphqlGuardrails,
  network: RuntimePolicy['network'],
  userConstants: Readonly<Record<string, string | number | boolean | null>>,
): Record<string, string | number | boolean | null> {
  const config =
    headless === false
      ? undefined
      : {
          ...headless,
          network:
            network === 'deny' || network === 'allow'
              ? { mode: network, hosts: [] }
              : { mode: 'hosts', hosts: network.allowHosts.flatMap((entry) => hostEntry(entry) ?? []) },
        }
  return {
    ...(headless === false || !headless.cron ? { DISABLE_WP_CRON: false } : {}),
    ...userConstants,
    CODEBOX_GRAPHQL_GUARDRAILS: JSON.stringify(graphql),
    ...(config ? { CODEBOX_HEADLESS: JSON.stringify(config) } : {}),
  }
}

/** The worker calls the backend needs to install or remove the must-use plugins. */
interface VfsWriter {
  writeFile(path: string, data: string, options?: { signal?: AbortSignal }): Promise<void>
  unlink(path: string, options?: { signal?: AbortSignal }): Promise<void>
}

/**
 * Writes the GraphQL guardrails and (unless `headless` is false) the headless policy pack into the site's
 * mu-plugins; removes a pack that a restored snapshot brought along when this runtime has `headless: false`.
 */
export async function installHeadless(
  worker: VfsWriter,
  headless: ResolvedHeadlessOptions | false,
  signal?: AbortSignal,
): Promise<void> {
  const options = signal ? { signal } : {}
  await worker.writeFile(GRAPHQL_GUARDRAILS_PATH, GRAPHQL_GUARDRAILS_PHP, options)
  if (headless === false) await worker.unlink(HEADLESS_PACK_PATH, options).catch(() => {})
  else await worker.writeFile(HEADLESS_PACK_PATH, HEADLESS_POLICY_PACK_PHP, options)
}

/** Writes the embedding program's must-use plugins (`playground({ muPlugins })`) into the site's mu-plugins. */
export async function installMuPlugins(
  worker: VfsWriter,
  files: Readonly<Record<string, string>>,
  signal?: AbortSignal,
): Promise<void> {
  for (const [name, source] of Object.entries(files)) {
    await worker.writeFile(`${MU_PLUGINS}/${name}`, source, signal ? { signal } : {})
  }
}

/** The `network.blocked` event a log entry of the headless pack stands for, or undefined for any other entry. */
export function headlessLogEvent(entry: PhpLogEntry): RuntimeEventInput | undefined {
  const at = entry.raw.indexOf(BLOCKED_PREFIX)
  if (at < 0) return undefined
  try {
    const parsed = JSON.parse(entry.raw.slice(at + BLOCKED_PREFIX.length).split('\n')[0] ?? '') as {
      host?: unknown
      port?: unknown
    }
    return {
      type: 'network.blocked',
      host: typeof parsed.host === 'string' ? parsed.host : '(invalid host)',
      ...(typeof parsed.port === 'number' ? { port: parsed.port } : {}),
      via: 'wordpress-http',
    }
  } catch {
    return undefined
  }
}
