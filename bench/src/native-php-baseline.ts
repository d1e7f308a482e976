import { GRAPHQL_QUERY, REST_ROUTE } from './bench-constants.js'
import type { BenchContext } from './bench-context.js'
import { freeLoopbackPort } from './free-port.js'
import { nativePhpVersion } from './native-php.js'
import { buildNativeSite, OPCACHE_PROBE } from './native-php-site.js'
import { startPhpServer } from './php-server.js'
import { readRuntimeSiteConfig } from './runtime-site-config.js'
import { createTempDir } from './temp-dir.js'
import { timeSamples } from './time-samples.js'

const REQUEST_TIMEOUT_MS = 60_000

const VARIANTS = [
  {
    id: 'native-opcache',
    label: 'native PHP + OPcache',
    opcache: true,
    ini: {
      'opcache.enable': '1',
      'opcache.enable_cli': '1',
      'opcache.validate_timestamps': '1',
      'opcache.revalidate_freq': '0',
      'opcache.memory_consumption': '128',
      'opcache.max_accelerated_files': '20000',
    },
  },
  {
    id: 'native',
    label: 'native PHP, no OPcache',
    opcache: false,
    ini: { 'opcache.enable': '0', 'opcache.enable_cli': '0' },
  },
] as const

async function fetchText(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    redirect: 'manual',
    ...init,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
  return { status: response.status, text: await response.text() }
}

/**
 * Baseline 2, native PHP: the same WordPress + SQLite (+ WPGraphQL) site served by `php -S` on 127.0.0.1, with
 * OPcache on and off; warm REST and GraphQL over HTTP. Skipped with a note when `php` is not on PATH.
 */
export async function measureNativePhp({ config, results, wpGraphql, plugins }: BenchContext): Promise<void> {
  const version = nativePhpVersion()
  if (!version) {
    results.note(
      'native PHP baseline skipped: no `php` on PATH (install PHP 8.2 with sqlite3/pdo_sqlite to run it)',
    )
    return
  }
  await using work = await createTempDir('codebox-bench-native-')
  const port = await freeLoopbackPort()
  const origin = `http://127.0.0.1:${port}`
  const graphqlDir = wpGraphql.available ? wpGraphql.plugin.path : undefined
  const root = await buildNativeSite(work.path, origin, graphqlDir, await readRuntimeSiteConfig(plugins))

  const rest = async () => {
    const { status, text } = await fetchText(`${origin}/wp-json${REST_ROUTE}`)
    if (status !== 200) throw new Error(`native REST answered ${status}: ${text.slice(0, 300)}`)
  }
  const graphql = async () => {
    const { status, text } = await fetchText(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: GRAPHQL_QUERY }),
    })
    const parsed = JSON.parse(text) as { data?: { nodeByUri?: { id?: string } | null } }
    if (status !== 200 || !parsed.data?.nodeByUri?.id) {
      throw new Error(`native GraphQL answered ${status}: ${text.slice(0, 300)}`)
    }
  }

  for (const variant of VARIANTS) {
    await using server = await startPhpServer({
      documentRoot: root,
      port,
      ini: variant.ini,
      readyPath: OPCACHE_PROBE,
    })
    const probe = await fetchText(`${server.origin}${OPCACHE_PROBE}`)
    if (probe.text.trim() !== String(variant.opcache)) {
      results.note(`${variant.label}: OPcache reported ${probe.text.trim()}, expected ${variant.opcache}`)
    }
    const group = 'native-php'
    const detail = `${version}, php -S on loopback`
    for (const [kind, label, request] of [
      ['rest', `REST GET ${REST_ROUTE}`, rest],
      ...(graphqlDir ? [['graphql', 'GraphQL nodeByUri', graphql] as const] : []),
    ] as const) {
      for (let index = 0; index < config.warmup; index++) await request()
      results.samples(
        `${variant.id}.${kind}`,
        `${variant.label}: ${label}`,
        await timeSamples(config.samples, request),
        {
          group,
          detail,
        },
      )
    }
  }
}
