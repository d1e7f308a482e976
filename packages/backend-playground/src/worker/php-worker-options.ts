/**
 * What `PhpWorker` (php-worker-client.ts) is given: start options, per-call options and call inputs, with
 * their defaults.
 *
 * @module
 */
import type { ResourceLimits } from 'node:worker_threads'
import type { DeterministicSources } from './deterministic-sources.js'
import type {
  NetworkPolicy,
  PhpLogEntry,
  WordPressSpec,
  WorkerEvent,
  WorkerMountSpec,
} from './php-worker-protocol.js'
import type { PhpWorkerExit } from './php-worker-results.js'

/** Default cap on the stdout+stderr bytes kept per call (8 MiB). */
export const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024
/** Default cap on the bytes `exportDir` reads (256 MiB). */
export const DEFAULT_MAX_EXPORT_BYTES = 256 * 1024 * 1024

/** Console-shaped sink for the worker thread's own console output (php-wasm diagnostics). */
export interface PhpWorkerLogger {
  debug(message: string): void
}

/** Options of `PhpWorker.start`. */
export interface PhpWorkerOptions {
  /** PHP version to load (`8.3`, `8.2`, …; 7.4+). Default `8.3`. */
  readonly phpVersion?: string
  /** Outbound network policy (the runtime policy's `network` value). Default `'deny'`. */
  readonly network?: NetworkPolicy
  /** PHP `memory_limit`. Default `256M`. */
  readonly memoryLimit?: string
  /** Extra php.ini entries (applied last). Default none. */
  readonly phpIni?: Readonly<Record<string, string>>
  /** PHP constants defined for every script and request (kept in the worker's memory only). Default none. */
  readonly constants?: Readonly<Record<string, string | number | boolean | null>>
  /** Serve an installed WordPress from `/wordpress`. Default: plain PHP, no request handler. */
  readonly wordpress?: WordPressSpec
  /** Host directories mounted at boot. Default none. */
  readonly mounts?: readonly WorkerMountSpec[]
  /** Default per-call output cap in bytes (stdout+stderr, or response body). Default 8 MiB. */
  readonly maxOutputBytes?: number
  /**
   * V8 limits of the worker thread. PHP's heap lives in WebAssembly memory (capped at about 1 GiB
   * by the php-wasm build, and by `memory_limit`), which these limits do not count; they bound the
   * JavaScript side (buffers, copies). Default `{ maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 4 }`: a
   * small young generation keeps an idle runtime's thread small (see `php-worker-client.ts`).
   */
  readonly resourceLimits?: ResourceLimits
  /** PHP error-log entries (warnings, fatals, `error_log()` calls), as they are read after each call. */
  readonly onLog?: (entry: PhpLogEntry) => void
  /** Sandbox events: denied network attempts, denied process spawns. */
  readonly onEvent?: (event: WorkerEvent) => void
  /** Called once when the worker thread has ended, for whatever reason. */
  readonly onExit?: (exit: PhpWorkerExit) => void
  /** Receives the worker thread's console output. Default: discarded. */
  readonly logger?: PhpWorkerLogger
  /**
   * In-memory OPcache: compiled scripts are kept between calls and revalidated by timestamp on every include.
   * Costs about 100 MB of memory per runtime. Default false.
   */
  readonly opcache?: boolean
  /**
   * PHP's clock starts at `clockMs` and advances a microsecond per read; its entropy (`random_bytes`, `random_int`,
   * `mt_rand` seeding, `wp_rand`) is a stream seeded by `seed`. See `deterministic-sources.ts`. Default: real time
   * and real entropy.
   */
  readonly deterministic?: DeterministicSources
  /** Start the thread unreferenced, so it does not keep the process alive (pooled workers); see `ref()`. */
  readonly unref?: boolean
  /**
   * The codebox cache, where the PHP module's digest is recorded on first use and checked on later ones (see
   * `compiledPhpModule`). Default `$CODEBOX_CACHE_DIR` or `~/.cache/codebox`.
   */
  readonly cacheDir?: string
}

/** Options shared by every call. */
export interface PhpWorkerCallOptions {
  /** Aborting terminates the worker (the only way to stop running PHP) and rejects the call. */
  readonly signal?: AbortSignal
  /** Same as a signal that aborts after this many milliseconds. Default: no timeout. */
  readonly timeoutMs?: number
}

/** Options of `PhpWorker.run`. */
export interface PhpRunOptions extends PhpWorkerCallOptions {
  /** Output cap for this call. Default: the worker's `maxOutputBytes`. */
  readonly maxOutputBytes?: number
  /** Receives output while PHP runs (batched every ~25 ms or 64 KiB), capped like the result. */
  readonly onOutput?: (output: { readonly stream: 'stdout' | 'stderr'; readonly chunk: Uint8Array }) => void
}

/** What to run: a code string (`<?php …`) or a script path in the VFS. */
export type PhpRunInput =
  | { readonly code: string; readonly env?: Readonly<Record<string, string>> }
  | { readonly scriptPath: string; readonly env?: Readonly<Record<string, string>> }

/** An HTTP request to the runtime's request handler (WordPress). */
export interface PhpHttpRequest {
  /** Default `GET`. */
  readonly method?: string
  /** Path and query, e.g. `/wp-json/wp/v2/posts?per_page=1`. */
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
}
