import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createResourceResolver } from '@codebox/backend-playground'
import { expect, it } from 'vitest'
import { runExample } from '../src/run-example.js'

const hasWpGraphql = await createResourceResolver({ download: false })
  .resolvePlugin('wp-graphql')
  .then(
    () => true,
    () => false,
  )

it.skipIf(!hasWpGraphql)(
  `runs the README example: two tenants, one GraphQL query each, each seeing only its own post ${
    hasWpGraphql ? '(WPGraphQL from the codebox cache)' : '(skipped: WPGraphQL not in the codebox cache)'
  }`,
  async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'codebox-example-host-'))
    const lines: string[] = []
    const { host, answers } = await runExample({ dataDir, port: 0, print: (line) => lines.push(line) })
    try {
      expect(answers.map((answer) => answer.domain)).toEqual(['acme.test', 'globex.test'])
      const titles = answers.map((answer) =>
        (answer.data as { data: { posts: { nodes: { title: string }[] } } }).data.posts.nodes.map(
          (node) => node.title,
        ),
      )
      expect(titles[0]).toContain('Hello from Acme Corporation')
      expect(titles[0]).not.toContain('Hello from Globex')
      expect(titles[1]).toContain('Hello from Globex')
      expect(titles[1]).not.toContain('Hello from Acme Corporation')
      expect(lines.join('\n')).toContain(`curl -s ${host.url}/graphql -H 'Host: acme.test'`)
    } finally {
      await host.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  },
  300_000,
)
