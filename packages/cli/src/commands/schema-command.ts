import { recipeJsonSchema } from '@codebox/runtime-core'
import { CliError } from '../cli-error.js'
import { type CliIo, reportError } from '../cli-output.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'

/** `codebox schema <name>`: prints a JSON Schema document (today: `recipe`). */
export function schemaCommand(name: string, io: CliIo): ExitCode {
  if (name !== 'recipe') {
    return reportError(
      io,
      'schema',
      new CliError('CLI_USAGE', `Unknown schema "${name}"; the available schema is "recipe"`),
      false,
    )
  }
  io.stdout.write(`${JSON.stringify(recipeJsonSchema(), null, 2)}\n`)
  return EXIT_CODES.OK
}
