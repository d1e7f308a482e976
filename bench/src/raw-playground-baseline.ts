import { readFile } from 'node:fs/promises'
import { bootWordPressAndRequestHandler } from '@wp-playground/wordpress'
import { GRAPHQL_QUERY, PERMALINK_STRUCTURE, REST_ROUTE, WASM_PHP_VERSION } from './bench-constants.js'
import type { BenchContext } from './bench-context.js'
import { createNodeFsMountHandler, loadNodeRuntime, type RawRequestHandler } from './php-wasm-node.js'
import { timeSamples } from './time-samples.js'
import { SQLITE_INTEGRATION_ZIP, WORDPRESS_ZIP } from './wordpress-zips.js'

const PLUGIN_DIR = '/wordpress/wp-content/plugins/wp-graphql'
const encoder = new TextEncoder()

/** What a user of the raw packages writes: boot WordPress from the bundled zip with a Node PHP runtime. */
async function bootRaw(wordpressZip: Uint8Array, sqliteZip: Uint8Array, nextProcessId: () => number) {
  return bootWordPressAndRequestHandler({
    siteUrl: 'http://127.0.0.1',
    phpVersion: WASM_PHP_VERSION,
    createPhpRuntime: () =>
      loadNodeRuntime(WASM_PHP_VERSION, { emscriptenOptions: { processId: nextProcessId() } }),
    wordPressZip: new File([wordpressZip], 'wordpress.zip'),
    sqliteIntegrationPluginZip: new File([sqliteZip], 'sqlite-database-integration.zip'),
  })
}

/** Pretty permalinks (for /wp-json and /graphql) and, when given, WPGraphQL mounted from its directory and activated. */
async function prepareSite(handler: RawRequestHandler, wpGraphqlDir: string | undefined): Promise<void> {
  const php = await handler.getPrimaryPhp()
  if (wpGraphqlDir) {
    php.mkdir(PLUGIN_DIR)
    await php.mount(PLUGIN_DIR, createNodeFsMountHandler(wpGraphqlDir))
  }
  const result = await php.run({
    code: `<?php require '/wordpress/wp-load.php';
      require_once ABSPATH . 'wp-admin/includes/plugin.php';
      update_option('permalink_structure', '${PERMALINK_STRUCTURE}');
      delete_option('rewrite_rules');
      $activated = ${wpGraphqlDir ? "activate_plugin('wp-graphql/wp-graphql.php')" : 'null'};
      echo is_wp_error($activated) ? $activated->get_error_message() : 'ok';`,
  })
  if (result.text !== 'ok')
    throw new Error(`raw site setup printed ${JSON.stringify(result.text.slice(0, 300))}`)
}

async function rawRest(handler: RawRequestHandler): Promise<void> {
  const response = await handler.request({ url: `/wp-json${REST_ROUTE}` })
  if (response.httpStatusCode !== 200) throw new Error(`raw REST answered ${response.httpStatusCode}`)
}

async function rawGraphql(handler: RawRequestHandler): Promise<void> {
  const response = await handler.request({
    url: '/graphql',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: encoder.encode(JSON.stringify({ query: GRAPHQL_QUERY })),
  })
  const parsed = JSON.parse(response.text) as { data?: { nodeByUri?: { id?: string } | null } }
  if (!parsed.data?.nodeByUri?.id) throw new Error(`raw GraphQL answered ${response.text.slice(0, 300)}`)
}

async function dispose(handler: RawRequestHandler): Promise<void> {
  // Exiting PHP also closes the loopback WebSocket relay loadNodeRuntime started.
  ;(await handler.getPrimaryPhp()).exit()
}

/**
 * Baseline 1, the raw packages: `bootWordPressAndRequestHandler` from the bundled zip (boot time; with WPGraphQL,
 * boot → first GraphQL answer), then warm REST and GraphQL through the request handler.
 */
export async function measureRawPlayground({ config, results, wpGraphql }: BenchContext): Promise<void> {
  const [wordpressZip, sqliteZip] = await Promise.all([
    readFile(WORDPRESS_ZIP),
    readFile(SQLITE_INTEGRATION_ZIP),
  ])
  let processId = 1
  const nextProcessId = () => processId++
  const graphqlDir = wpGraphql.available ? wpGraphql.plugin.path : undefined
  const bootMs: number[] = []
  const firstGraphqlMs: number[] = []
  const rounds = Math.max(1, config.coldSamples)
  let handler: RawRequestHandler | undefined
  for (let round = 0; round < rounds; round++) {
    const started = performance.now()
    const booted = await bootRaw(wordpressZip, sqliteZip, nextProcessId)
    bootMs.push(performance.now() - started)
    try {
      await prepareSite(booted, graphqlDir)
      if (graphqlDir) {
        await rawGraphql(booted)
        firstGraphqlMs.push(performance.now() - started)
      }
    } catch (error) {
      await dispose(booted)
      throw error
    }
    if (round === rounds - 1) handler = booted
    else await dispose(booted)
  }
  const group = 'raw-playground'
  results.samples('raw.boot', 'raw Playground: boot from zip', bootMs, {
    group,
    detail: 'bootWordPressAndRequestHandler + loadNodeRuntime, wp-6.5.zip',
  })
  if (firstGraphqlMs.length > 0) {
    results.samples('raw.boot-first-graphql', 'raw Playground: boot → first GraphQL', firstGraphqlMs, {
      group,
      detail: 'boot + mount and activate WPGraphQL + permalinks + one query',
    })
  }
  try {
    const live = handler!
    for (const [id, label, request] of [
      ['raw.rest', `raw Playground: REST GET ${REST_ROUTE}`, rawRest],
      ...(graphqlDir ? [['raw.graphql', 'raw Playground: GraphQL nodeByUri', rawGraphql] as const] : []),
    ] as const) {
      for (let index = 0; index < config.warmup; index++) await request(live)
      results.samples(id, label, await timeSamples(config.samples, () => request(live)), { group })
    }
  } finally {
    await dispose(handler!)
  }
}
