import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { afterAll, beforeAll, expect, it } from 'vitest'

let emptyCache: string

beforeAll(async () => {
  emptyCache = await mkdtemp(join(tmpdir(), 'codebox-empty-cache-'))
})

afterAll(async () => {
  await rm(emptyCache, { recursive: true, force: true })
})

it('fails fast with RESOURCE_UNAVAILABLE naming the places looked when WPGraphQL is not cached and downloads are off', async () => {
  const started = performance.now()
  const error = await createRuntime({
    backend: playground({ plugins: ['wp-graphql'], cacheDir: emptyCache, download: false }),
    policy: { commands: { allow: ['wordpress.*'] } },
    cleanupOnExit: false,
  }).then(
    () => undefined,
    (caught: unknown) => caught as { code?: string; message: string; details?: { looked?: unknown[] } },
  )
  const elapsedMs = performance.now() - started
  expect(error?.code).toBe('RESOURCE_UNAVAILABLE')
  expect(error?.message).toContain('wp-graphql')
  expect(error?.message).toContain(emptyCache)
  expect(error?.details?.looked?.length).toBeGreaterThan(0)
  expect(elapsedMs).toBeLessThan(2000)
})
