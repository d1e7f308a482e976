import { playground } from '@codebox/backend-playground'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasWpGraphql, needsWpGraphql } from './wp-graphql-available.js'

/**
 * A query `levels` fields deep: posts → nodes → author → node → posts → … → __typename. Its webonyx depth is
 * `levels - 2` (the root field is depth 0 and a leaf adds nothing).
 */
function nestedQuery(levels: number): string {
  const names = ['posts(first: 1)', 'nodes', 'author', 'node']
  let query = '__typename'
  for (let level = levels - 2; level >= 0; level--) query = `${names[level % 4]} { ${query} }`
  return `{ ${query} }`
}

describe.skipIf(!hasWpGraphql)(
  `wordpress.graphql against WPGraphQL with guardrails ${needsWpGraphql}`,
  () => {
    let runtime: Runtime
    let tight: Runtime

    beforeAll(async () => {
      runtime = (await createRuntime({
        backend: playground({ plugins: ['wp-graphql'] }),
        policy: { commands: { allow: ['wordpress.*'] } },
        cleanupOnExit: false,
      })) as unknown as Runtime
      tight = (await createRuntime({
        backend: playground({
          plugins: ['wp-graphql'],
          graphql: { maxDepth: 4, maxComplexity: 20, maxPageSize: 3, maxBodyBytes: 2048 },
        }),
        policy: { commands: { allow: ['wordpress.*'] } },
        cleanupOnExit: false,
      })) as unknown as Runtime
    }, 120_000)

    afterAll(async () => {
      await runtime?.destroy()
      await tight?.destroy()
    })

    const graphql = (target: Runtime, query: string, variables?: Record<string, unknown>) =>
      target.execute({ command: 'wordpress.graphql', args: { query, ...(variables ? { variables } : {}) } })

    it('answers nodeByUri for a published post with the Post and its title', async () => {
      const created = await runtime.execute({
        command: 'wordpress.run-php',
        args: {
          code: `<?php echo wp_insert_post(['post_title' => 'Hello WASI', 'post_name' => 'hello-wasi', 'post_status' => 'publish', 'post_content' => 'hi']);`,
        },
      })
      expect(created.status).toBe('ok')
      const result = await graphql(
        runtime,
        '{ nodeByUri(uri: "/hello-wasi/") { __typename ... on Post { title slug } } }',
      )
      expect(result.status).toBe('ok')
      const value = result.status === 'ok' ? (result.value as Record<string, unknown>) : {}
      expect(value).toMatchObject({
        data: { nodeByUri: { __typename: 'Post', title: 'Hello WASI', slug: 'hello-wasi' } },
        httpStatus: 200,
      })
      expect(value.errors).toBeUndefined()
      expect(typeof value.durationMs).toBe('number')
    })

    it('runs the operation named by operationName, with variables, out of a document holding several', async () => {
      const document = `
        query Title { generalSettings { title } }
        query Post($uri: String!) { nodeByUri(uri: $uri) { __typename ... on Post { slug } } }`
      const result = await runtime.execute({
        command: 'wordpress.graphql',
        args: { query: document, operationName: 'Post', variables: { uri: '/hello-wasi/' } },
      })
      expect(result.status).toBe('ok')
      const value = (result as { value: { data: Record<string, unknown> } }).value
      expect(value.data).toEqual({ nodeByUri: { __typename: 'Post', slug: 'hello-wasi' } })
      const title = await runtime.execute({
        command: 'wordpress.graphql',
        args: { query: document, operationName: 'Title' },
      })
      expect((title as { value: { data: Record<string, unknown> } }).value.data).toHaveProperty(
        'generalSettings.title',
      )
    })

    it('returns GraphQL errors as a failed result that keeps the errors in its value', async () => {
      const result = await graphql(runtime, '{ noSuchField }')
      expect(result.status).toBe('failed')
      const value = (result as { value?: { errors?: { message: string }[]; httpStatus: number } }).value
      expect(value?.errors?.[0]?.message).toMatch(/noSuchField/)
    })

    it('refuses a query deeper than the default maxDepth of 10 and runs one at the limit', async () => {
      const atLimit = await graphql(runtime, nestedQuery(12))
      expect(atLimit.status).toBe('ok')
      const tooDeep = await graphql(runtime, nestedQuery(13))
      expect(tooDeep.status).toBe('failed')
      const errors = (tooDeep as { value?: { errors?: { message: string }[] } }).value?.errors ?? []
      expect(errors.map((e) => e.message).join(' ')).toMatch(/Max query depth should be 10 but got 11/)
    })

    it('refuses a query whose complexity exceeds the default maxComplexity of 500', async () => {
      const aliases = Array.from({ length: 300 }, (_, i) => `a${i}: generalSettings { title }`).join(' ')
      const result = await graphql(runtime, `{ ${aliases} }`)
      expect(result.status).toBe('failed')
      const errors = (result as { value?: { errors?: { message: string }[] } }).value?.errors ?? []
      expect(errors[0]?.message).toMatch(/Max query complexity should be 500 but got 600/)
      const small = Array.from({ length: 100 }, (_, i) => `a${i}: generalSettings { title }`).join(' ')
      expect((await graphql(runtime, `{ ${small} }`)).status).toBe('ok')
    })

    it('answers posts(first: 1000) with a GraphQL error naming maxPageSize, literal or variable, and allows 100', async () => {
      for (const [query, variables] of [
        ['{ posts(first: 1000) { nodes { id } } }', undefined],
        ['query Many($n: Int) { posts(first: $n) { nodes { id } } }', { n: 1000 }],
        ['{ posts(last: 1000) { nodes { id } } }', undefined],
      ] as const) {
        const result = await graphql(runtime, query, variables)
        expect(result.status).toBe('failed')
        const value = (result as { value?: { errors?: { message: string }[]; data: unknown } }).value
        expect(value?.errors?.[0]?.message).toMatch(
          /asked for 1000 items \((first|last)\); this runtime returns at most 100 per page \(graphql\.maxPageSize\)/,
        )
        expect(value?.data).toEqual({ posts: null })
      }
      expect((await graphql(runtime, '{ posts(first: 100) { nodes { id } } }')).status).toBe('ok')
    })

    it('applies per-runtime limits: depth 4, complexity 20, page size 3', async () => {
      // Depth 4 with a one-to-one connection (author) inside: its internal default amount is capped, not an error.
      expect((await graphql(tight, nestedQuery(6))).status).toBe('ok')
      const depth = await graphql(tight, nestedQuery(7))
      expect(JSON.stringify((depth as { value?: unknown }).value)).toMatch(
        /Max query depth should be 4 but got 5/,
      )
      const fields = Array.from({ length: 11 }, (_, i) => `a${i}: generalSettings { title }`).join(' ')
      const complexity = await graphql(tight, `{ ${fields} }`)
      expect(JSON.stringify((complexity as { value?: unknown }).value)).toMatch(
        /Max query complexity should be 20 but got 22/,
      )
      const page = await graphql(tight, '{ posts(first: 4) { nodes { id } } }')
      expect(JSON.stringify((page as { value?: unknown }).value)).toMatch(/at most 3 per page/)
      expect((await graphql(tight, '{ posts(first: 3) { nodes { id } } }')).status).toBe('ok')
    })

    it('refuses a body over maxBodyBytes on the host, before PHP, with a GraphQL error', async () => {
      const padding = `# ${'x'.repeat(3000)}\n`
      const result = await graphql(tight, `${padding}{ generalSettings { title } }`)
      expect(result.status).toBe('failed')
      const value = (result as { value?: { errors?: { message: string }[]; httpStatus: number } }).value
      expect(value?.httpStatus).toBe(413)
      expect(value?.errors?.[0]?.message).toMatch(/accepts at most 2048 bytes \(graphql\.maxBodyBytes\)/)
    })

    it('refuses a body over maxBodyBytes inside WordPress too, when a request bypasses the host check', async () => {
      const body = JSON.stringify({ query: `# ${'x'.repeat(3000)}\n{ generalSettings { title } }` })
      const result = await tight.execute({
        command: 'wordpress.http-request',
        args: { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body },
      })
      expect(result.status).toBe('ok')
      const value = (result as { value: { status: number; body: string } }).value
      expect(value.status).toBe(413)
      expect(JSON.parse(value.body)).toMatchObject({
        errors: [{ extensions: { code: 'CODEBOX_BODY_TOO_LARGE', maxBodyBytes: 2048 } }],
      })
    })

    it('fails with GRAPHQL_HTTP_ERROR and keeps the response when WPGraphQL itself answers HTTP >= 400', async () => {
      // A body WPGraphQL cannot read as JSON has no query: it throws, and answers HTTP 500 with a GraphQL error.
      const result = await runtime.execute({
        command: 'wordpress.graphql',
        args: { query: '{ generalSettings { title } }', headers: { 'content-type': 'text/plain' } },
      })
      expect(result.status).toBe('failed')
      if (result.status !== 'failed') return
      expect(result.code).toBe('GRAPHQL_HTTP_ERROR')
      const value = result.value as { httpStatus: number; errors?: { message: string }[]; data: unknown }
      expect(value.httpStatus).toBeGreaterThanOrEqual(400)
      expect(result.message).toContain(`HTTP ${value.httpStatus}`)
      expect(value.errors?.[0]?.message).toBeTruthy()
      expect(JSON.parse(result.stdout)).toMatchObject({ errors: value.errors })
    })
  },
)
