import { runCli } from './main.js'

// Entry point of the `codebox` bin: the exit code is set, never forced, so output is flushed first.
process.exitCode = await runCli(process.argv.slice(2))
