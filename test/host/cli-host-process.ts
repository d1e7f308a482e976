import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
/** The CLI's TypeScript entry, run directly (not through the bin launcher) so a signal reaches the host itself. */
const CLI_SOURCE = path.join(here, '..', '..', 'packages', 'cli', 'src', 'cli.ts')
const TSX = createRequire(path.join(here, '..', '..', 'packages', 'cli', 'package.json')).resolve('tsx')

/** A `codebox` process started by a test. */
export interface CliProcess {
  readonly child: ChildProcess
  /** Everything printed on stdout so far. */
  stdout(): string
  /** Everything printed on stderr so far. */
  stderr(): string
  /** Resolves with the first JSON document printed on stdout. */
  readonly document: Promise<{ ok: boolean; result: unknown; error: unknown }>
  /** Resolves once stderr matches. */
  stderrMatches(pattern: RegExp): Promise<void>
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Runs `codebox <args>` as its own Node process (the host under test is this process, no launcher between). */
export function startCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, CLI_SOURCE, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const waiters: { pattern: RegExp; resolve: () => void }[] = []
  child.stdout?.setEncoding('utf8')
  child.stderr?.setEncoding('utf8')
  let resolveDocument: (value: { ok: boolean; result: unknown; error: unknown }) => void
  let rejectDocument: (error: Error) => void
  const document = new Promise<{ ok: boolean; result: unknown; error: unknown }>((resolve, reject) => {
    resolveDocument = resolve
    rejectDocument = reject
  })
  child.stdout?.on('data', (chunk: string) => {
    out += chunk
    const line = out.split('\n').find((candidate) => candidate.trim().startsWith('{'))
    if (line) {
      try {
        resolveDocument(JSON.parse(line))
      } catch {
        // Not complete yet.
      }
    }
  })
  child.stderr?.on('data', (chunk: string) => {
    err += chunk
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(err)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      rejectDocument(
        new Error(`codebox ${args.join(' ')} ended (${code ?? signal}) without a JSON document:\n${err}`),
      )
      resolve({ code, signal })
    })
  })
  document.catch(() => {})
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    document,
    stderrMatches: (pattern) =>
      pattern.test(err) ? Promise.resolve() : new Promise((resolve) => waiters.push({ pattern, resolve })),
    exited,
  }
}

/** Runs `codebox <args> --json` to its end and returns its JSON document and exit code. */
export async function runCliJson(
  args: readonly string[],
  cwd: string,
): Promise<{
  code: number | null
  document: { ok: boolean; result: unknown; error: unknown }
  stdout: string
}> {
  const started = startCli([...args, '--json'], cwd)
  const [{ code }, document] = await Promise.all([started.exited, started.document])
  return { code, document, stdout: started.stdout() }
}
