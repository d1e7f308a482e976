/**
 * Shared fixtures of the resource resolver tests: small plugin zips, a fake phar, a loopback "WordPress.org", and a
 * resolver pointed at both with a fresh cache per test. Not part of the package (excluded from the build).
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { zipSync } from 'fflate'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { createResourceResolver } from './create-resource-resolver.js'
import type { ResourceResolverOptions } from './resolver-context.js'

export function pluginMain(name: string, version: string | undefined): string {
  const versionLine = version === undefined ? '' : ` * Version: ${version}\n`
  return `<?php\n/**\n * Plugin Name: ${name}\n${versionLine} */\n`
}

export function makePluginZip(slug: string, version: string, extra: Record<string, string> = {}): Uint8Array {
  const files: Record<string, Uint8Array> = {
    [`${slug}/${slug}.php`]: new TextEncoder().encode(pluginMain(`Test ${slug}`, version)),
    [`${slug}/readme.txt`]: new TextEncoder().encode(`=== ${slug} ===\nStable tag: ${version}\n`),
  }
  for (const [name, text] of Object.entries(extra)) files[name] = new TextEncoder().encode(text)
  return zipSync(files)
}

/** Not a working PHP archive: only the stub the resolver checks for. The resolver never runs it. */
export function makeFakePhar(marker: string): Uint8Array {
  return new TextEncoder().encode(`#!/usr/bin/env php\n<?php\n__HALT_COMPILER(); ?>\n${marker}`)
}

export function sha(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

export interface FakeServer {
  readonly base: string
  readonly hits: Map<string, number>
  readonly routes: Map<string, Uint8Array>
  /** Requests to these paths are answered only once the promise settles (for downloads in flight). */
  readonly holds: Map<string, Promise<void>>
  close(): Promise<void>
}

async function startServer(): Promise<FakeServer> {
  const hits = new Map<string, number>()
  const routes = new Map<string, Uint8Array>()
  const holds = new Map<string, Promise<void>>()
  const server = http.createServer(async (request, response) => {
    const url = request.url ?? '/'
    hits.set(url, (hits.get(url) ?? 0) + 1)
    if (url === '/hang') return // never answers: for timeouts
    await holds.get(url)
    const body = routes.get(url)
    if (body === undefined) {
      response.writeHead(404).end('not found')
      return
    }
    response
      .writeHead(200, { 'content-type': 'application/zip', 'content-length': body.byteLength })
      .end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    routes,
    holds,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export async function closedPort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; details?: unknown }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error('expected the promise to reject')
}

// Live bindings: a test file reads these after `useResolverFixture()`'s hooks have set them.
/** The loopback "WordPress.org" of the current test file. */
export let server: FakeServer
/** The current test's temp directory (removed after each test). */
export let work: string
/** `<work>/cache`, the cache of the resolver `setup()` made. */
export let cacheDir: string

/** Starts the loopback server for the calling test file and removes each test's temp directory after it. */
export function useResolverFixture(): void {
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(async () => {
    await server.close()
  })
  afterEach(async () => {
    server.hits.clear()
    server.routes.clear()
    server.holds.clear()
    if (work !== undefined) await rm(work, { recursive: true, force: true })
  })
}

export async function setup(options: Partial<ResourceResolverOptions> = {}) {
  work = await mkdtemp(path.join(os.tmpdir(), 'codebox-resources-'))
  cacheDir = path.join(work, 'cache')
  return createResourceResolver({
    cacheDir,
    env: {},
    sources: { wordpressOrgPlugins: `${server.base}/plugin/`, wpCli: `${server.base}/wp-cli-{version}.phar` },
    ...options,
  })
}
