import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createResourceResolver } from '@codebox/backend-playground'
import { type Host, startHost } from '@codebox/host'

const exampleDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)))

/** Options of {@link runExample}. */
export interface ExampleOptions {
  /** Where the tenants' databases, media and audit trails live. Default `examples/headless-host/.data`. */
  readonly dataDir?: string
  /** Tenant listener port. Default 8080. */
  readonly port?: number
  /** Where lines go. Default `console.log`. */
  readonly print?: (line: string) => void
}

/** What one tenant's GraphQL answered. */
export interface TenantAnswer {
  readonly tenant: string
  readonly domain: string
  readonly data: unknown
}

const QUERY = '{ generalSettings { title } posts(first: 5) { nodes { title } } }'

/** POST /graphql with a Host header (what curl -H 'Host: …' does). */
function graphql(base: string, domain: string, query: string): Promise<unknown> {
  const url = new URL(base)
  const body = JSON.stringify({ query })
  return new Promise((resolve, reject) => {
    const call = request(
      {
        hostname: url.hostname,
        port: url.port,
        path: '/graphql',
        method: 'POST',
        setHost: false,
        headers: {
          host: domain,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          text += chunk
        })
        response.on('end', () => resolve(JSON.parse(text)))
      },
    )
    call.on('error', reject)
    call.end(body)
  })
}

/**
 * Writes `tenants.json` from the template with the SHA-256 of the WPGraphQL your codebox cache holds (the release
 * you approve), starts the host with two tenants on durable databases, gives each an editor and a first post (on the
 * first run only), and asks each tenant's GraphQL for them. Returns the running host and the answers.
 */
export async function runExample(
  options: ExampleOptions = {},
): Promise<{ host: Host; answers: TenantAnswer[] }> {
  const print = options.print ?? ((line: string) => console.log(line))
  const dataDir = path.resolve(options.dataDir ?? path.join(exampleDir, '.data'))
  const wpGraphql = await createResourceResolver({ download: false }).resolvePlugin('wp-graphql')
  const template = JSON.parse(await readFile(path.join(exampleDir, 'tenants.template.json'), 'utf8'))
  template.approvedPlugins.plugins[0].sha256 = wpGraphql.sha256.replace(/^sha256:/, '')
  await mkdir(dataDir, { recursive: true })
  const manifestFile = path.join(dataDir, 'tenants.json')
  await writeFile(manifestFile, `${JSON.stringify(template, null, 2)}\n`)
  print(`manifest: ${manifestFile} (approves wp-graphql@${wpGraphql.version} ${wpGraphql.sha256})`)

  const firstRun = !existsSync(path.join(dataDir, 'acme', 'database', '.ht.sqlite'))
  const host = await startHost({ manifest: manifestFile, dataDir, port: options.port ?? 8080 })
  for (const tenant of host.tenants())
    print(`tenant ${tenant.id} (${tenant.domains.join(', ')}): ${tenant.state}`)
  if (firstRun) {
    for (const tenant of host.tenants()) {
      const user = await host.addUser(tenant.id, 'editor', 'editor')
      const auth = `Basic ${Buffer.from(`editor:${user.applicationPassword}`).toString('base64')}`
      const title = tenant.id === 'acme' ? 'Acme Corporation' : 'Globex'
      await postJson(host.url, tenant.domains[0] as string, auth, {
        title: `Hello from ${title}`,
        status: 'publish',
      })
      print(
        `${tenant.id}: editor "editor" added; application password (shown once): ${user.applicationPassword}`,
      )
    }
  }
  const answers: TenantAnswer[] = []
  for (const tenant of host.tenants()) {
    const domain = tenant.domains[0] as string
    const data = await graphql(host.url, domain, QUERY)
    answers.push({ tenant: tenant.id, domain, data })
    print(`\ncurl -s ${host.url}/graphql -H 'Host: ${domain}' -H 'content-type: application/json' \\`)
    print(`  -d '${JSON.stringify({ query: QUERY })}'`)
    print(JSON.stringify(data))
  }
  print(`\nops: ${host.opsUrl}/readyz and ${host.opsUrl}/metrics`)
  return { host, answers }
}

async function postJson(base: string, domain: string, auth: string, value: unknown): Promise<void> {
  const url = new URL(base)
  const body = JSON.stringify(value)
  await new Promise<void>((resolve, reject) => {
    const call = request(
      {
        hostname: url.hostname,
        port: url.port,
        path: '/wp-json/wp/v2/posts',
        method: 'POST',
        setHost: false,
        headers: {
          host: domain,
          authorization: auth,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume()
        response.on('end', () =>
          response.statusCode === 201
            ? resolve()
            : reject(new Error(`POST /wp/v2/posts: HTTP ${response.statusCode}`)),
        )
      },
    )
    call.on('error', reject)
    call.end(body)
  })
}
