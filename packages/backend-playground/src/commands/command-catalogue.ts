import { defineCommand } from '@codebox/runtime-core'
import { z } from 'zod'
import { PhpunitArgs, type PhpunitValue } from '../phpunit/phpunit-args.js'

const JsonValue: z.ZodType<unknown> = z.json()
const Headers = z.record(z.string(), z.string())
const RequestPath = z
  .string()
  .refine((value) => value.startsWith('/'), 'must start with "/", e.g. "/wp-json/" or "/?p=1"')
const HttpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])
const User = z.union([
  z.literal('admin'),
  z.literal('anonymous'),
  z.number().int().positive(),
  z.string().min(1),
])

/** Arguments of `wordpress.run-php`. */
export const RunPhpArgs = z.strictObject({
  /** PHP source, starting with `<?php`. */
  code: z.string().min(1, 'give PHP code, e.g. "<?php echo 1;"'),
  /** `wordpress` (default) loads WordPress first; `none` runs the code bare. */
  bootstrap: z.enum(['wordpress', 'none']).default('wordpress'),
})

/** Value of `wordpress.run-php`. */
export interface RunPhpValue {
  /** PHP fatal error, when the script died of one. */
  readonly fatal?: { readonly message: string; readonly file?: string; readonly line?: number }
}

/** Arguments of `wordpress.http-request`. */
export const HttpRequestArgs = z.strictObject({
  method: HttpMethod.default('GET'),
  /** Path and optional query string, e.g. `/wp-json/wp/v2/posts?per_page=1`. */
  path: RequestPath,
  /** Extra query parameters, merged into the path's query string. */
  query: z.record(z.string(), z.string()).optional(),
  headers: Headers.optional(),
  /** A string body, or a JSON value sent as `application/json`. */
  body: z.union([z.string(), JsonValue]).optional(),
})

/** Value of `wordpress.http-request`. */
export interface HttpRequestValue {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly durationMs: number
}

/** Arguments of `wordpress.rest-request`. */
export const RestRequestArgs = z.strictObject({
  /** REST route, e.g. `/wp/v2/posts`. */
  route: RequestPath,
  method: HttpMethod.default('GET'),
  /** Query parameters (GET) or body parameters (others). */
  params: z.record(z.string(), JsonValue).optional(),
  headers: Headers.optional(),
  /** Who makes the request: `admin` (default, user 1), `anonymous`, a user id or a login. */
  as: User.default('admin'),
})

/** Value of `wordpress.rest-request`. */
export interface RestRequestValue {
  readonly status: number
  readonly data: unknown
  readonly headers: Readonly<Record<string, string>>
}

/** Arguments of `wordpress.graphql`. */
export const GraphqlArgs = z.strictObject({
  query: z.string().min(1, 'give a GraphQL query, e.g. "{ generalSettings { title } }"'),
  variables: z.record(z.string(), JsonValue).optional(),
  operationName: z.string().optional(),
  headers: Headers.optional(),
})

/** Value of `wordpress.graphql`. */
export interface GraphqlValue {
  readonly data: unknown
  readonly errors: readonly unknown[] | undefined
  readonly extensions: unknown
  readonly httpStatus: number
  readonly durationMs: number
}

/** Arguments naming one plugin (slug, `slug/file.php` or directory). */
export const PluginArgs = z.strictObject({
  /** Plugin slug (`hello-dolly`), or its file relative to the plugins directory (`hello.php`, `akismet/akismet.php`). */
  plugin: z.string().min(1, 'give a plugin slug or file, e.g. "akismet/akismet.php"'),
})

/** One row of `wordpress.plugin-list`. */
export interface PluginListEntry {
  readonly file: string
  readonly name: string
  readonly version: string
  readonly active: boolean
  readonly mustUse: boolean
}

/** Arguments of `wordpress.option-get`. */
export const OptionGetArgs = z.strictObject({ name: z.string().min(1) })

/** Arguments of `wordpress.option-set`. */
export const OptionSetArgs = z.strictObject({
  name: z.string().min(1),
  value: JsonValue,
  autoload: z.boolean().optional(),
})

/** Arguments of `wordpress.wp-cli`. */
export const WpCliArgs = z.strictObject({
  /** Arguments after `wp`, e.g. `['option', 'get', 'blogname']`. A leading `wp` is accepted and dropped. */
  argv: z.array(z.string()).min(1, 'give at least one argument, e.g. ["option", "get", "blogname"]'),
})

/**
 * The Playground backend's commands. Every command runs in the runtime's PHP worker; every one can be stopped by
 * its timeout or signal.
 */
export const playgroundCommands = {
  'wordpress.run-php': defineCommand<typeof RunPhpArgs, RunPhpValue>({
    name: 'wordpress.run-php',
    description: 'Runs PHP code, with WordPress loaded unless bootstrap is "none".',
    args: RunPhpArgs,
    writes: true,
  }),
  'wordpress.http-request': defineCommand<typeof HttpRequestArgs, HttpRequestValue>({
    name: 'wordpress.http-request',
    description: 'Sends an HTTP request to WordPress in-process and returns the response.',
    args: HttpRequestArgs,
    writes: true,
  }),
  'wordpress.rest-request': defineCommand<typeof RestRequestArgs, RestRequestValue>({
    name: 'wordpress.rest-request',
    description:
      'Dispatches a REST API request in-process (as admin by default) and returns status and JSON.',
    args: RestRequestArgs,
    writes: true,
  }),
  'wordpress.graphql': defineCommand<typeof GraphqlArgs, GraphqlValue>({
    name: 'wordpress.graphql',
    description: 'Runs a WPGraphQL query over the in-process /graphql endpoint.',
    args: GraphqlArgs,
  }),
  'wordpress.plugin-activate': defineCommand<typeof PluginArgs, { readonly file: string }>({
    name: 'wordpress.plugin-activate',
    description: 'Activates an installed plugin.',
    args: PluginArgs,
    writes: true,
  }),
  'wordpress.plugin-deactivate': defineCommand<typeof PluginArgs, { readonly file: string }>({
    name: 'wordpress.plugin-deactivate',
    description: 'Deactivates a plugin.',
    args: PluginArgs,
    writes: true,
  }),
  'wordpress.plugin-list': defineCommand<z.ZodObject<Record<string, never>>, readonly PluginListEntry[]>({
    name: 'wordpress.plugin-list',
    description: 'Lists installed and must-use plugins with their status.',
    args: z.strictObject({}),
  }),
  'wordpress.option-get': defineCommand<
    typeof OptionGetArgs,
    { readonly exists: boolean; readonly value: unknown }
  >({
    name: 'wordpress.option-get',
    description: 'Reads a WordPress option.',
    args: OptionGetArgs,
  }),
  'wordpress.option-set': defineCommand<typeof OptionSetArgs, { readonly updated: boolean }>({
    name: 'wordpress.option-set',
    description: 'Writes a WordPress option.',
    args: OptionSetArgs,
    writes: true,
  }),
  'wordpress.wp-cli': defineCommand<typeof WpCliArgs, undefined>({
    name: 'wordpress.wp-cli',
    description: 'Runs WP-CLI (a real wp-cli.phar) inside the runtime.',
    args: WpCliArgs,
    writes: true,
  }),
  'wordpress.phpunit': defineCommand<typeof PhpunitArgs, PhpunitValue>({
    name: 'wordpress.phpunit',
    description:
      "Runs a mounted plugin's PHPUnit suite against the runtime's WordPress (WordPress test library, PHPUnit 9, polyfills) and returns its JUnit report.",
    args: PhpunitArgs,
    writes: true,
  }),
} as const

/** The Playground backend's command catalogue type. */
export type PlaygroundCommands = typeof playgroundCommands
