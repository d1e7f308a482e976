/**
 * The headless-host example: two tenants (acme.test, globex.test) behind one codebox host on 127.0.0.1:8080, each
 * with WPGraphQL on its own durable SQLite database. Prints a curl command and the answer of each tenant's GraphQL,
 * then serves until Ctrl-C. `--once` stops after the queries; `--port <n>` picks another port (0: any free one).
 */
import { parseArgs } from 'node:util'
import { runExample } from './run-example.js'

const { values } = parseArgs({ options: { port: { type: 'string' }, once: { type: 'boolean' } } })
const { host } = await runExample({ ...(values.port === undefined ? {} : { port: Number(values.port) }) })
if (!values.once) {
  console.log('serving; Ctrl-C stops the host (requests in flight finish first)')
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
}
await host.close()
