/**
 * Message protocol between the host (`PhpWorker` in `php-worker-client.ts`) and the PHP worker thread
 * (`php-worker.ts`). Both sides import their types from here, so a message or answer that one side changes
 * fails to compile on the other.
 *
 * Every host→worker message carries a numeric `id`; the worker answers each with exactly one
 * `result` message with the same `id` (its `value` typed by {@link WorkerReplies}), possibly preceded by
 * `output` messages for that `id`. `log`, `event` and `crashed` messages are unsolicited. Binary payloads
 * are `Uint8Array`s and are transferred, not copied, where possible.
 *
 * @module
 */
import type { DeterministicSources } from './deterministic-sources.js'

/**
 * Outbound network policy enforced at PHP's socket layer: the runtime policy's `network` value as is
 * (`'deny'`, `'allow'` or `{ allowHosts }` with the policy's grammar, ports included), matched in the worker by
 * `@codebox/policy/network-match`. Default `'deny'`.
 */
export type NetworkPolicy = 'deny' | 'allow' | { readonly allowHosts: readonly string[] }

/**
 * Why a connection was refused: `policy` (the host and port PHP asked for are not allowed) or
 * `resolved-address-not-allowed` (an allowed name resolved only to internal addresses the policy does not list,
 * or did not resolve).
 */
export type NetworkDenialReason = 'policy' | 'resolved-address-not-allowed'

/** How the WordPress tree is laid out in the PHP filesystem. */
export type WordPressLayout = 'memfs-copy' | 'nodefs-core'

/** WordPress to serve from `/wordpress`. */
export interface WordPressSpec {
  /** Host directory holding an installed site (what `prepareWordPressTemplate` returns as `siteDir`). */
  readonly siteDir: string
  /**
   * `memfs-copy` copies the whole tree into the runtime's memory; `nodefs-core` mounts the immutable
   * core (`wp-admin`, `wp-includes`) read-only from the host and copies only the rest.
   * Default `nodefs-core`.
   */
  readonly layout?: WordPressLayout
  /** Absolute URL WordPress believes it is served at (`WP_HOME`/`WP_SITEURL`). Default `http://127.0.0.1`. */
  readonly siteUrl?: string
  /**
   * OPcache's file cache of the template's immutable core, compiled once on the host (`compiled-core.ts`): mounted
   * read-only where PHP's file cache looks for those scripts, so a new runtime loads core compiled instead of
   * compiling it on its first request. Ignored with `opcache: true` (shared-memory OPcache has no file cache).
   */
  readonly compiledCore?: CompiledCoreSpec | undefined
}

/** A compiled-core directory: `<dir>/<systemId>/wordpress/<immutable dir>/…php.bin`. */
export interface CompiledCoreSpec {
  /** Host directory holding the `<systemId>` directory. */
  readonly dir: string
  /** PHP's OPcache system id the scripts were compiled under (PHP only reads entries under its own). */
  readonly systemId: string
  /** Compiled plugin layers under the same system id (`compiled-plugins.ts`), each mounted read-only too. */
  readonly layers?: readonly CompiledLayerSpec[] | undefined
}

/** The compiled scripts of one immutable VFS directory (a plugin layer): `<dir>/<relative path>.bin`. */
export interface CompiledLayerSpec {
  /** Host directory holding the entries, laid out like the directory they were compiled from. */
  readonly dir: string
  /** The VFS directory whose scripts they are, e.g. `/wordpress/wp-content/plugins/wp-graphql`. */
  readonly vfsPath: string
}

/** A host directory made visible inside PHP. */
export interface WorkerMountSpec {
  readonly hostPath: string
  readonly vfsPath: string
  /** Writes from PHP fail with EROFS. Default `false`. */
  readonly readOnly?: boolean
}

/** Everything the worker needs to boot. */
export interface WorkerInit {
  readonly phpVersion: string
  /** Unique per live runtime in this host process; php-wasm uses it for file locking. */
  readonly processId: number
  readonly network: NetworkPolicy
  /** Extra php.ini entries, applied after codebox's defaults. */
  readonly phpIni: Readonly<Record<string, string>>
  readonly wordpress?: WordPressSpec | undefined
  readonly mounts?: readonly WorkerMountSpec[] | undefined
  /** PHP constants defined for every script and request. */
  readonly constants?: Readonly<Record<string, string | number | boolean | null>> | undefined
  /** In-memory OPcache (SAPI name `fpm-fcgi`, timestamps revalidated on every include). Default false. */
  readonly opcache?: boolean | undefined
  /** A seeded clock and entropy source, installed before PHP loads (see `deterministic-sources.ts`). */
  readonly deterministic?: DeterministicSources | undefined
  /** The PHP module compiled once in the host process; shared so workers share its machine code. */
  readonly wasmModule?: object | undefined
}

/** A PHP error, warning or notice read from PHP's error log. */
export interface PhpLogEntry {
  /** `fatal`, `parse`, `warning`, `notice`, `deprecated` or `other`. */
  readonly level: 'fatal' | 'parse' | 'warning' | 'notice' | 'deprecated' | 'other'
  readonly message: string
  readonly file?: string | undefined
  readonly line?: number | undefined
  /** The whole log entry, including any stack trace lines. */
  readonly raw: string
}

/** An error that crossed the thread boundary. */
export interface SerializedError {
  readonly name: string
  readonly message: string
  readonly code?: string | undefined
  readonly stack?: string | undefined
}

/** Host → worker messages. */
export type WorkerRequest =
  | { readonly type: 'init'; readonly id: number; readonly init: WorkerInit }
  | {
      readonly type: 'run'
      readonly id: number
      readonly code?: string | undefined
      readonly scriptPath?: string | undefined
      readonly env?: Readonly<Record<string, string>> | undefined
      readonly maxOutputBytes: number
    }
  | {
      readonly type: 'request'
      readonly id: number
      readonly method: string
      readonly url: string
      readonly headers: Readonly<Record<string, string>>
      readonly body?: Uint8Array | undefined
      readonly maxOutputBytes: number
    }
  | { readonly type: 'readFile'; readonly id: number; readonly path: string }
  | { readonly type: 'writeFile'; readonly id: number; readonly path: string; readonly data: Uint8Array }
  | { readonly type: 'listFiles'; readonly id: number; readonly path: string; readonly recursive: boolean }
  | { readonly type: 'mkdir'; readonly id: number; readonly path: string }
  | { readonly type: 'unlink'; readonly id: number; readonly path: string; readonly recursive: boolean }
  | {
      readonly type: 'exportDir'
      readonly id: number
      readonly path: string
      readonly maxBytes: number
      /** Leave out subtrees that are other mounts (read-only core, host mounts). */
      readonly skipMounts: boolean
    }
  | {
      readonly type: 'mount'
      readonly id: number
      readonly hostPath: string
      readonly vfsPath: string
      readonly readOnly: boolean
    }
  | { readonly type: 'unmount'; readonly id: number; readonly mountId: number }
  /** Test hook: make the worker fail the way a wasm trap does (uncaught exception / unhandled rejection). */
  | {
      readonly type: 'selfTest'
      readonly id: number
      readonly kind: 'uncaught-exception' | 'unhandled-rejection'
    }

/** A host→worker request of one `type`. */
export type WorkerRequestOf<T extends WorkerRequest['type']> = Extract<WorkerRequest, { readonly type: T }>

/** A request as the host hands it to `PhpWorker`'s call queue, before it is given its `id`. */
export type WorkerCall<T extends WorkerRequest['type'] = WorkerRequest['type']> =
  T extends WorkerRequest['type'] ? Omit<WorkerRequestOf<T>, 'id'> : never

/**
 * The `value` of the `result` message the worker sends for each request type. The worker's handler table is
 * typed from this map and the host's calls return it, so the two sides cannot disagree on an answer's shape.
 * `selfTest` never answers: the worker crashes instead.
 */
export interface WorkerReplies {
  readonly init: InitResult
  readonly run: RunResultMessage
  readonly request: RequestResultMessage
  readonly readFile: Uint8Array
  readonly writeFile: undefined
  readonly listFiles: string[]
  readonly mkdir: undefined
  readonly unlink: undefined
  readonly exportDir: ExportedFile[]
  /** The id to pass to `unmount`. */
  readonly mount: number
  readonly unmount: undefined
  readonly selfTest: never
}

/** Answer to `init`. */
export interface InitResult {
  readonly phpVersion: string
  readonly bootMs: number
  readonly wordpress?: {
    readonly layout: WordPressLayout
    readonly copiedFiles: number
    readonly copiedBytes: number
  }
}

/** Answer to `run`; stdout/stderr bytes arrive before it as `output` messages. */
export interface RunResultMessage {
  readonly exitCode: number
  readonly stdoutBytes: number
  readonly stderrBytes: number
  readonly truncated: boolean
  readonly errors: readonly PhpLogEntry[]
}

/** Answer to `request`. */
export interface RequestResultMessage {
  readonly status: number
  readonly headers: Readonly<Record<string, readonly string[]>>
  /** Body bytes, at most `maxOutputBytes`. */
  readonly body: Uint8Array
  /** Body bytes PHP produced, including any beyond the cap. */
  readonly bodyBytes: number
  readonly truncated: boolean
  readonly errors: readonly PhpLogEntry[]
}

/** One file of an `exportDir` answer; `path` is relative to the exported directory, `/`-separated. */
export interface ExportedFile {
  readonly path: string
  readonly bytes: Uint8Array
}

/** Something the sandbox did that the host should know about (for traces and policy diagnostics). */
export type WorkerEvent =
  | {
      readonly type: 'network.denied' | 'network.allowed' | 'network.listen-denied'
      readonly host: string
      readonly port: number
      /** `network.denied` only. */
      readonly reason?: NetworkDenialReason
    }
  | { readonly type: 'process.denied'; readonly command: string }
  /** A string PHP handed to the host with php-wasm's `post_message_to_js()` (the mail capture uses it). */
  | { readonly type: 'php.message'; readonly data: string }

/** Worker → host messages. */
export type WorkerMessage =
  | {
      readonly type: 'result'
      readonly id: number
      readonly ok: true
      readonly value: WorkerReplies[WorkerRequest['type']]
    }
  | { readonly type: 'result'; readonly id: number; readonly ok: false; readonly error: SerializedError }
  | {
      readonly type: 'output'
      readonly id: number
      readonly stream: 'stdout' | 'stderr'
      readonly chunk: Uint8Array
    }
  | { readonly type: 'log'; readonly entry: PhpLogEntry }
  | { readonly type: 'event'; readonly event: WorkerEvent }
  | { readonly type: 'crashed'; readonly error: SerializedError }
