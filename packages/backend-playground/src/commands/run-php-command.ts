import type { BackendCommandOutcome, CommandContext } from '@codebox/runtime-core'
import type { z } from 'zod'
import type { RunPhpArgs } from './command-catalogue.js'
import type { CommandHost } from './command-host.js'
import { DOCUMENT_ROOT } from './php-snippets.js'

const decoder = new TextDecoder()

/** `wordpress.run-php`: runs the caller's PHP, streaming its output; a fatal error is part of the result. */
export async function runPhpCommand(
  host: CommandHost,
  args: z.output<typeof RunPhpArgs>,
  context: CommandContext,
): Promise<BackendCommandOutcome> {
  let input: { code: string } | { scriptPath: string }
  if (args.bootstrap === 'wordpress') {
    // The user's code runs from its own file after wp-load, so its `<?php` tag and declare() stay valid.
    const path = `/internal/codebox/run-${context.commandId}.php`
    await host.worker.writeFile(path, args.code)
    await host.worker.writeFile(
      `/internal/codebox/boot-${context.commandId}.php`,
      `<?php require_once '${DOCUMENT_ROOT}/wp-load.php'; require '${path}';`,
    )
    input = { scriptPath: `/internal/codebox/boot-${context.commandId}.php` }
  } else {
    input = { code: args.code }
  }
  try {
    const result = await host.worker.run(input, {
      signal: context.signal,
      onOutput: ({ stream, chunk }) => context.output(stream, decoder.decode(chunk)),
    })
    for (const entry of result.errors) host.log(entry)
    const fatal = result.errors.find((entry) => entry.level === 'fatal' || entry.level === 'parse')
    return {
      exitCode: result.exitCode,
      value: fatal
        ? {
            fatal: {
              message: fatal.message,
              ...(fatal.file ? { file: fatal.file } : {}),
              ...(fatal.line ? { line: fatal.line } : {}),
            },
          }
        : {},
      ...(fatal
        ? {
            message: `PHP ${fatal.level} error: ${fatal.message}${fatal.file ? ` in ${fatal.file}:${fatal.line}` : ''}`,
          }
        : {}),
    }
  } finally {
    if (args.bootstrap === 'wordpress' && !context.signal.aborted) {
      await host.worker.unlink(`/internal/codebox/run-${context.commandId}.php`).catch(() => {})
      await host.worker.unlink(`/internal/codebox/boot-${context.commandId}.php`).catch(() => {})
    }
  }
}
