#!/usr/bin/env node
// The `codebox` command. An installed package runs dist/cli.js directly. In a workspace checkout (this file is not
// under node_modules) it always runs the TypeScript source through tsx with the `source` export condition, so no
// build step is needed and a stale dist/ (of this or any workspace package) is never picked up.
import { spawn } from 'node:child_process'
import { existsSync, realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const installed = realpathSync(fileURLToPath(import.meta.url))
  .split(/[\\/]/)
  .includes('node_modules')
if (installed && existsSync(built)) {
  await import(new URL('../dist/cli.js', import.meta.url).href)
} else {
  const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', import.meta.resolve('tsx'), source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  )
  // The child handles SIGINT/SIGTERM itself (a run still writes its bundle); the parent forwards them and waits. A
  // terminal's Ctrl-C reaches both processes; the child counts the forwarded copy as the same interrupt. SIGHUP is
  // forwarded too: `codebox host` reloads its tenant manifest on it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => {
    // Killed by a signal it did not handle: 130 (interrupted) for SIGINT/SIGTERM, else 70 (internal), as documented.
    process.exitCode = code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 130 : 70)
  })
}
