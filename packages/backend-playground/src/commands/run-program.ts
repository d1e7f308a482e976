import type { BackendCommandOutcome, CommandContext } from '@codebox/runtime-core'
import type { CommandHost } from './command-host.js'
import { parseProgramOutput } from './php-snippets.js'

/**
 * Runs one of the command programs of `php-snippets` and turns its single JSON answer into an outcome: its
 * `value` as the result, its `error` as a failure, and no answer at all as a failure naming the PHP error.
 */
export async function runProgram(
  host: CommandHost,
  code: string,
  signal: AbortSignal,
  output?: CommandContext['output'],
): Promise<BackendCommandOutcome> {
  const result = await host.worker.run({ code }, { signal })
  for (const entry of result.errors) host.log(entry)
  const parsed = parseProgramOutput(result.stdout)
  if (parsed?.output && output) output('stdout', parsed.output)
  if (result.stderr && output) output('stderr', result.stderr)
  if (!parsed) {
    const fatal = result.errors.find((entry) => entry.level === 'fatal' || entry.level === 'parse')
    return {
      exitCode: result.exitCode === 0 ? 1 : result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
      message: fatal ? `PHP ${fatal.level} error: ${fatal.message}` : 'the command printed no result',
    }
  }
  if (parsed.error !== undefined)
    return { exitCode: result.exitCode || 1, message: parsed.error, stderr: result.stderr }
  return { exitCode: result.exitCode, value: parsed.value, stdout: JSON.stringify(parsed.value) }
}
