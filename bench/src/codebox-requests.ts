import type { PlaygroundCommands } from '@codebox/backend-playground'
import type { CommandResult, Runtime } from '@codebox/runtime-core'
import { GRAPHQL_QUERY, REST_ROUTE } from './bench-constants.js'

/** A codebox runtime on the Playground backend. */
export type PlaygroundRuntime = Runtime<PlaygroundCommands>

/** Options of a {@link CodeboxRequest}. */
export interface CodeboxRequestOptions {
  /** The command's deadline. Default: runtime-core's (60 s). */
  readonly timeoutMs?: number
}

/** One of the requests the harness times; each checks its answer so a broken site cannot look fast. */
export type CodeboxRequest = (runtime: PlaygroundRuntime, options?: CodeboxRequestOptions) => Promise<void>

function expectOk<V>(what: string, result: CommandResult<V>): V {
  if (result.status !== 'ok') {
    const message = 'message' in result ? result.message : ''
    throw new Error(`${what} ended ${result.status}: ${message} ${result.stderr.slice(0, 300)}`.trim())
  }
  return result.value
}

/** `wordpress.graphql` with the `nodeByUri` query; the post must resolve. */
export const graphqlRequest: CodeboxRequest = async (runtime, options = {}) => {
  const value = expectOk(
    'wordpress.graphql',
    await runtime.execute({ command: 'wordpress.graphql', args: { query: GRAPHQL_QUERY }, ...options }),
  )
  const data = value.data as { nodeByUri?: { id?: string } | null } | null
  if (!data?.nodeByUri?.id) {
    throw new Error(`GraphQL did not resolve /hello-world/: ${JSON.stringify(value).slice(0, 300)}`)
  }
}

/** `wordpress.rest-request` GET /wp/v2/posts as an anonymous visitor; must answer 200. */
export const restRequest: CodeboxRequest = async (runtime, options = {}) => {
  const value = expectOk(
    'wordpress.rest-request',
    await runtime.execute({
      command: 'wordpress.rest-request',
      args: { method: 'GET', route: REST_ROUTE, as: 'anonymous' },
      ...options,
    }),
  )
  if (value.status !== 200) throw new Error(`REST ${REST_ROUTE} answered ${value.status}`)
}

/** `wordpress.run-php` without WordPress: the bare round trip into PHP and back. */
export const runPhpBareRequest: CodeboxRequest = async (runtime, options = {}) => {
  const result = await runtime.execute({
    command: 'wordpress.run-php',
    args: { code: '<?php echo 6 * 7;', bootstrap: 'none' },
    ...options,
  })
  expectOk('wordpress.run-php (bare)', result)
  if (result.stdout !== '42') throw new Error(`bare run-php printed ${JSON.stringify(result.stdout)}`)
}

/** `wordpress.run-php` after loading WordPress. */
export const runPhpWordPressRequest: CodeboxRequest = async (runtime, options = {}) => {
  const result = await runtime.execute({
    command: 'wordpress.run-php',
    args: { code: "<?php echo get_option('blogname') === false ? 'no' : 'ok';" },
    ...options,
  })
  expectOk('wordpress.run-php (WordPress)', result)
  if (result.stdout !== 'ok')
    throw new Error(`run-php with WordPress printed ${JSON.stringify(result.stdout)}`)
}
