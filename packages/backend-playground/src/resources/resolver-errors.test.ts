import { isCodeboxError } from '@codebox/runtime-core'
import { describe, expect, it } from 'vitest'
import { rejection, setup, useResolverFixture } from './resource-resolver.test-fixture.js'

useResolverFixture()

describe('errors and specs', () => {
  it('reports an invalid spec with the JSON path of each problem', async () => {
    const resolver = await setup()

    const error = (await rejection(
      resolver.resolvePlugin({ slug: 'Bad Slug', sha256: 'xyz' } as never),
    )) as Error & { code: string; issues: { path: string }[] }

    expect(error.code).toBe('RESOURCE_SPEC_INVALID')
    expect(error.issues.map((i) => i.path).sort()).toEqual(['$.sha256', '$.slug'])
  })

  it('refuses a plain http URL source that is not on loopback', async () => {
    const resolver = await setup()

    const error = await rejection(
      resolver.resolvePlugin({ slug: 'x', version: '1.0.0', source: 'http://example.com/x.zip' }),
    )

    expect(error.code).toBe('RESOURCE_SPEC_INVALID')
  })

  it('produces codebox errors that serialise to name, code, message and details', async () => {
    const resolver = await setup({ download: false })

    const error = await rejection(resolver.resolvePlugin('wp-graphql'))

    expect(isCodeboxError(error)).toBe(true)
    const json = JSON.parse(JSON.stringify(error))
    expect(json).toMatchObject({ name: 'ResourceUnavailableError', code: 'RESOURCE_UNAVAILABLE' })
    expect(json.details.looked).toHaveLength(3)
  })
})
