import type { RuntimeBackend } from '../backend.js'
import type { CommandCatalogue } from '../commands.js'
import type { CommandResult, CreateRuntimeOptions, Runtime } from '../runtime.js'

/** A command invocation the suite runs. */
export interface ConformanceCall {
  readonly command: string
  readonly args: Record<string, unknown>
}

/** What a backend tells the conformance suite about itself. */
export interface BackendConformanceOptions<C extends CommandCatalogue> {
  /** Shown in the suite's title. */
  readonly name: string
  /** Returns a fresh backend instance for each runtime. */
  readonly createBackend: () => RuntimeBackend<C>
  /** A command that exits 0 and prints `text` to stdout. */
  readonly echo: (text: string) => ConformanceCall
  /** The same as `echo` but as recipe-style `key=value` strings. */
  readonly echoKeyValue: (text: string) => readonly string[]
  /** A command that exits non-zero. */
  readonly fail: () => ConformanceCall
  /** A command that never finishes on its own (a busy loop). */
  readonly hang: () => ConformanceCall
  /** A command whose arguments are invalid, and the JSON path the error must name. */
  readonly invalidArgs: () => ConformanceCall & { readonly path: string }
  /** Writes and reads a value of state kept inside the runtime, to prove snapshots and denied commands. */
  readonly state: {
    readonly write: (value: string) => ConformanceCall
    readonly read: () => ConformanceCall
    readonly valueOf: (result: CommandResult) => string
  }
  /** Reads a file inside the runtime, to prove mounts. */
  readonly readFile: (path: string) => ConformanceCall
  /**
   * A command that makes the application in the runtime send one message the way it sends mail (for WordPress,
   * `wp_mail`). Leave it out for a backend that sends no mail: the suite then only checks that the mailbox is empty.
   */
  readonly sendMail?: (message: {
    readonly to: string
    readonly subject: string
    readonly body: string
  }) => ConformanceCall
  /** Directory inside the runtime where the suite may mount host directories. */
  readonly mountRoot: string
  /** Extra createRuntime options (for example a longer timeout). */
  readonly createOptions?: Partial<CreateRuntimeOptions<C>>
  /** Timeout for each test in ms. Default 60 000. */
  readonly testTimeoutMs?: number
}

/** Everything allowed: every command, and mounts of any host path in either mode. */
export const allowAll = {
  commands: { allow: ['*'] },
  filesystem: { mounts: [{ path: '/', modes: ['readonly', 'readwrite'] }] },
}

/** What each area of the suite gets from `describeBackendConformance`. */
export interface ConformanceContext<C extends CommandCatalogue> {
  readonly options: BackendConformanceOptions<C>
  /** Timeout of each test in ms. */
  readonly timeout: number
  /** A fresh runtime on the backend, everything allowed unless `extra` says otherwise. */
  readonly create: (extra?: Partial<CreateRuntimeOptions<C>>) => Promise<Runtime<C>>
  /** Runs a {@link ConformanceCall} (plus execute options such as `timeoutMs`) on `runtime`. */
  readonly exec: (
    runtime: Runtime<C>,
    call: ConformanceCall,
    more?: Record<string, unknown>,
  ) => Promise<CommandResult>
  /** The runtime the tests that need no runtime of their own share; created before the first test. */
  readonly shared: Runtime<C>
  /** A real host directory holding `hello.txt`, for the mount tests; created before the first test. */
  readonly hostDir: string
}
