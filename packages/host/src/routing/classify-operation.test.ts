import { describe, expect, it } from 'vitest'
import { classifyGraphql, classifyRest } from './classify-operation.js'

const body = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))

describe('classifyRest', () => {
  it('marks writes to plugins, themes, settings and importers as destructive', () => {
    expect(classifyRest('POST', '/wp/v2/settings')).toEqual({
      operation: 'rest.write',
      destructive: 'option-bulk-change',
    })
    expect(classifyRest('PUT', '/wp/v2/plugins/hello/hello')).toMatchObject({ destructive: 'plugin-change' })
    expect(classifyRest('POST', '/wp/v2/themes/x')).toMatchObject({ destructive: 'theme-change' })
    expect(classifyRest('POST', '/vendor/v1/import-posts')).toMatchObject({ destructive: 'import' })
  })

  it('leaves reads and content writes alone', () => {
    expect(classifyRest('GET', '/wp/v2/settings')).toEqual({ operation: 'rest.read', destructive: undefined })
    expect(classifyRest('POST', '/wp/v2/posts')).toEqual({ operation: 'rest.write', destructive: undefined })
  })
})

describe('classifyGraphql', () => {
  it('finds mutations in POST bodies, batches and GET query strings', () => {
    expect(
      classifyGraphql('POST', '', body({ query: 'mutation { createPost(input: {}) { post { id } } }' })),
    ).toEqual({
      operation: 'graphql.mutation',
      destructive: undefined,
    })
    expect(
      classifyGraphql(
        'POST',
        '',
        body([
          { query: '{ posts { nodes { id } } }' },
          { query: 'mutation M { updateSettings(input: {}) { clientMutationId } }' },
        ]),
      ),
    ).toEqual({
      operation: 'graphql.mutation',
      destructive: 'option-bulk-change',
    })
    expect(
      classifyGraphql('GET', `query=${encodeURIComponent('{ generalSettings { title } }')}`, undefined),
    ).toEqual({
      operation: 'graphql.query',
      destructive: undefined,
    })
  })

  it('sees destructive fields behind aliases and fragments', () => {
    const query =
      'mutation { ...F } fragment F on RootMutation { renamed: updateSettings(input: {}) { clientMutationId } }'
    expect(classifyGraphql('POST', '', body({ query })).destructive).toBe('option-bulk-change')
  })

  it('treats a body that is not a GraphQL document as a query (WPGraphQL refuses it)', () => {
    expect(classifyGraphql('POST', '', new TextEncoder().encode('not json'))).toEqual({
      operation: 'graphql.query',
      destructive: undefined,
    })
    expect(classifyGraphql('POST', '', body({ query: 'mutation {' })).operation).toBe('graphql.query')
  })
})
