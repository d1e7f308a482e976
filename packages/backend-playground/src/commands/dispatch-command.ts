import type { BackendCommandOutcome, CommandContext } from '@codebox/runtime-core'
import type { z } from 'zod'
import type { PhpunitArgs } from '../phpunit/phpunit-args.js'
import { type PhpunitHost, phpunitCommand } from '../phpunit/phpunit-command.js'
import type { GraphqlArgs, HttpRequestArgs, RestRequestArgs, RunPhpArgs } from './command-catalogue.js'
import type { CommandHost } from './command-host.js'
import { graphqlCommand } from './graphql-command.js'
import { httpRequestCommand } from './http-request-command.js'
import {
  optionGetProgram,
  optionSetProgram,
  pluginActivateProgram,
  pluginDeactivateProgram,
  pluginListProgram,
  restRequestProgram,
} from './php-snippets.js'
import { runPhpCommand } from './run-php-command.js'
import { runProgram } from './run-program.js'
import { type WpCliTool, wpCliCommand } from './wp-cli-command.js'

/** A runtime as the command dispatcher sees it: its worker and logs, and the per-runtime command settings. */
export interface DispatchHost extends CommandHost, PhpunitHost {
  /** The `graphql.maxBodyBytes` option: larger GraphQL requests are refused before PHP sees them. */
  readonly maxGraphqlBodyBytes: number
  readonly wpCli: WpCliTool
}

/**
 * Runs one `wordpress.*` command of the catalogue; `args` were already parsed by its schema. An unknown command
 * is exit code 127, as in a shell.
 */
export async function dispatchCommand(
  host: DispatchHost,
  command: string,
  args: unknown,
  context: CommandContext,
): Promise<BackendCommandOutcome> {
  const { signal, output } = context
  switch (command) {
    case 'wordpress.run-php':
      return runPhpCommand(host, args as z.output<typeof RunPhpArgs>, context)
    case 'wordpress.http-request':
      return httpRequestCommand(host, args as z.output<typeof HttpRequestArgs>, context)
    case 'wordpress.rest-request':
      return runProgram(host, restRequestProgram(args as z.output<typeof RestRequestArgs>), signal, output)
    case 'wordpress.graphql':
      return graphqlCommand(host, args as z.output<typeof GraphqlArgs>, context, host.maxGraphqlBodyBytes)
    case 'wordpress.plugin-activate':
      return runProgram(host, pluginActivateProgram(args), signal, output)
    case 'wordpress.plugin-deactivate':
      return runProgram(host, pluginDeactivateProgram(args), signal, output)
    case 'wordpress.plugin-list':
      return runProgram(host, pluginListProgram(), signal, output)
    case 'wordpress.option-get':
      return runProgram(host, optionGetProgram(args), signal, output)
    case 'wordpress.option-set':
      return runProgram(host, optionSetProgram(args), signal, output)
    case 'wordpress.phpunit':
      return phpunitCommand(host, args as z.output<typeof PhpunitArgs>, context)
    case 'wordpress.wp-cli':
      return wpCliCommand(host, host.wpCli, (args as { argv: string[] }).argv, context)
    default:
      return { exitCode: 127, message: `The playground backend has no command ${command}` }
  }
}
