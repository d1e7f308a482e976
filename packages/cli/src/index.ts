export { CliError } from './cli-error.js'
export {
  CLI_RESULT_SCHEMA_ID,
  type CliErrorDocument,
  type CliIo,
  type CliResultDocument,
} from './cli-output.js'
export type { RunCommandResult } from './commands/run-command.js'
export type { ServeCommandResult } from './commands/serve-command.js'
export type { WorkerCommandResult } from './commands/worker-command.js'
export { EXIT_CODES, type ExitCode, exitCodeFor } from './exit-codes.js'
export { runCli } from './main.js'
