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

it('fails with RESOURCE_UNAVAILABLE naming the places looked when WPGraphQL is not cached and downloads are off', async () => {
  const error = await createRuntime({
    backend: playground({ plugins: ['wp-graphql'], cacheDir: emptyCache, download: false }),
    policy: { commands: { allow: ['wordpress.*'] } },
    cleanupOnExit: false,
  }).then(
    () => undefined,
    (caught: unknown) => caught as { code?: string; message: string; details?: { looked?: unknown[] } },
  )
  expect(error?.code).toBe('RESOURCE_UNAVAILABLE')
  expect(error?.message).toContain('wp-graphql')
  expect(error?.message).toContain(emptyCache)
  expect(error?.details?.looked?.length).toBeGreaterThan(0)
})

it('fails wordpress.graphql with GRAPHQL_UNAVAILABLE and the response when the runtime has no WPGraphQL', async () => {
  await using runtime = await createRuntime({
    backend: playground({ cacheDir: emptyCache, download: false }),
    policy: { commands: { allow: ['wordpress.*'] } },
    cleanupOnExit: false,
  })
  const result = await runtime.execute({ command: 'wordpress.graphql', args: { query: '{ __typename }' } })
  expect(result.status).toBe('failed')
  if (result.status !== 'failed') return
  expect(result.code).toBe('GRAPHQL_UNAVAILABLE')
  expect(result.message).toContain("plugins: ['wp-graphql']")
  expect(result.value).toMatchObject({ httpStatus: 404 })
  await expect(
    runtime.execute({
      command: 'wordpress.graphql',
      args: { query: '{ __typename }' },
      throwOnFailure: true,
    }),
  ).rejects.toMatchObject({ result: { code: 'GRAPHQL_UNAVAILABLE' } })
})
