import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AddedUser, type Host, startHost } from '../src/index.js'
import { basicAuth, hostRequest } from './host-request.js'
import { approvedWpGraphql, needsWpGraphql, wpGraphql } from './wp-graphql.js'

// Two tenants with WPGraphQL: content edited with application passwords over /graphql, read anonymously per tenant;
// media ingest exposed as the object store's URL in GraphQL; per-tenant guardrails; destructive mutations snapshotted.

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
)
const TOKEN = 'acme-graphql-media-token-42'

interface GraphqlAnswer {
  readonly data?: Record<string, unknown> | null
  readonly errors?: readonly { readonly message: string }[]
}

describe.skipIf(!wpGraphql)(`a host with two WPGraphQL tenants ${needsWpGraphql}`, () => {
  let work: string
  let host: Host
  let editor: AddedUser
  let admin: AddedUser
  let globexEditor: AddedUser
  const graphql = async (tenant: string, query: string, auth?: string, variables: object = {}) => {
    const answer = await hostRequest(host.url, {
      host: tenant,
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify({ query, variables }),
    })
    return { status: answer.status, body: answer.json<GraphqlAnswer>() }
  }
  const postTitles = async (tenant: string) =>
    (
      (await graphql(tenant, '{ posts(first: 100) { nodes { title } } }')).body.data as {
        posts: { nodes: { title: string }[] }
      }
    ).posts.nodes.map((node) => node.title)

  beforeAll(async () => {
    const plugin = wpGraphql!
    const { approvedPlugins, plugins } = approvedWpGraphql(plugin)
    work = await mkdtemp(path.join(tmpdir(), 'codebox-host-graphql-'))
    host = await startHost({
      manifest: {
        schema: 'codebox/tenant-manifest/v1',
        approvedPlugins,
        tenants: [
          {
            id: 'acme',
            domains: ['acme.test'],
            plugins,
            graphql: { maxDepth: 3 },
            media: {
              tokenEnv: 'ACME_GRAPHQL_MEDIA_TOKEN',
              store: { kind: 'filesystem', publicBaseUrl: 'https://cdn.acme.test/' },
            },
          },
          { id: 'globex', domains: ['globex.test'], plugins },
        ],
      },
      dataDir: path.join(work, 'data'),
      env: { ACME_GRAPHQL_MEDIA_TOKEN: TOKEN },
    })
    expect(host.tenants().map((tenant) => tenant.state)).toEqual(['ready', 'ready'])
    editor = await host.addUser('acme', 'ed', 'editor')
    admin = await host.addUser('acme', 'boss', 'administrator')
    globexEditor = await host.addUser('globex', 'gl', 'editor')
  }, 300_000)

  afterAll(async () => {
    await host?.close()
    if (work) await rm(work, { recursive: true, force: true })
  }, 120_000)

  it('publishes a post as tenant A’s editor through A’s GraphQL; B’s GraphQL does not see it', async () => {
    const created = await graphql(
      'acme.test',
      'mutation Create($title: String!) { createPost(input: { title: $title, status: PUBLISH }) { post { databaseId title } } }',
      basicAuth('ed', editor.applicationPassword),
      { title: 'Acme GraphQL post' },
    )
    expect(created.body.errors).toBeUndefined()
    expect(created.body.data).toMatchObject({ createPost: { post: { title: 'Acme GraphQL post' } } })
    expect(await postTitles('acme.test')).toContain('Acme GraphQL post')
    expect(await postTitles('globex.test')).not.toContain('Acme GraphQL post')
  }, 120_000)

  it('refuses B’s credentials on A, and anonymous writes', async () => {
    for (const auth of [basicAuth('gl', globexEditor.applicationPassword), undefined]) {
      const attempt = await graphql(
        'acme.test',
        'mutation { createPost(input: { title: "Intruder", status: PUBLISH }) { post { databaseId } } }',
        auth,
      )
      expect(attempt.status === 200 ? attempt.body.errors?.length : attempt.status).toBeTruthy()
      expect(attempt.body.data?.createPost ?? null).toBeNull()
    }
    expect(await postTitles('acme.test')).not.toContain('Intruder')
  }, 120_000)

  it('exposes an ingested object by its object-store URL in GraphQL', async () => {
    const ingested = await hostRequest(host.url, {
      host: 'acme.test',
      method: 'POST',
      path: '/_codebox/media?filename=pixel.png&title=Pixel',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'image/png' },
      body: PNG,
    })
    expect(ingested.status).toBe(201)
    const object = ingested.json<{ id: number; url: string }>()
    const item = await graphql(
      'acme.test',
      'query Item($id: ID!) { mediaItem(id: $id, idType: DATABASE_ID) { mediaItemUrl sourceUrl mimeType title } }',
      undefined,
      { id: String(object.id) },
    )
    expect(item.body.data).toEqual({
      mediaItem: { mediaItemUrl: object.url, sourceUrl: object.url, mimeType: 'image/png', title: 'Pixel' },
    })
    const elsewhere = await graphql(
      'globex.test',
      'query Item($id: ID!) { mediaItem(id: $id, idType: DATABASE_ID) { mediaItemUrl } }',
      undefined,
      { id: String(object.id) },
    )
    expect(elsewhere.body.data?.mediaItem ?? null).toBeNull()
  }, 120_000)

  it('applies each tenant’s own guardrails', async () => {
    const deep = '{ posts { nodes { author { node { posts { nodes { title } } } } } } }'
    const onAcme = await graphql('acme.test', deep)
    expect(onAcme.body.errors?.[0]?.message).toMatch(/depth/i)
    const onGlobex = await graphql('globex.test', deep)
    expect(onGlobex.body.errors).toBeUndefined()
  }, 120_000)

  it('snapshots the tenant before a settings mutation', async () => {
    const changed = await graphql(
      'acme.test',
      'mutation { updateSettings(input: { generalSettingsTitle: "Acme via GraphQL" }) { generalSettings { title } } }',
      basicAuth('boss', admin.applicationPassword),
    )
    expect(changed.body.errors).toBeUndefined()
    expect(changed.body.data).toMatchObject({
      updateSettings: { generalSettings: { title: 'Acme via GraphQL' } },
    })
    const snapshots = await readdir(path.join(host.dataDir, 'acme', 'snapshots'))
    expect(snapshots.some((name) => name.includes('option-bulk-change'))).toBe(true)
    const globexTitle = await graphql('globex.test', '{ generalSettings { title } }')
    expect(globexTitle.body.data).not.toMatchObject({ generalSettings: { title: 'Acme via GraphQL' } })
  }, 120_000)
})
