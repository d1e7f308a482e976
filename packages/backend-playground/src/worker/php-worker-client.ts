import { type ResourceLimits, Worker } from 'node:worker_threads'
import { BackendPlaygroundError, PhpWorkerCallError, PhpWorkerTerminatedError } from '../errors.js'
import { assertLoadablePhpVersion, compiledPhpModule } from './compiled-php-module.js'
import type {
  ExportedFile,
  InitResult,
  NetworkPolicy,
  PhpLogEntry,
  RequestResultMessage,
  RunResultMessage,
  SerializedError,
  WordPressSpec,
  WorkerEvent,
  WorkerMessage,
  WorkerMountSpec,
  WorkerRequest,
} from './php-worker-protocol.js'

/** Default cap on the stdout+stderr bytes kept per call (8 MiB). */
export const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024
/** Default cap on the bytes `exportDir` reads (256 MiB). */
export const DEFAULT_MAX_EXPORT_BYTES = 256 * 1024 * 1024

/** Console-shaped sink for the worker thread's own console output (php-wasm diagnostics). */
export interface PhpWorkerLogger {
  debug(message: string): void
}

/** Options of {@link PhpWorker.start}. */
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
   * JavaScript side (buffers, copies). Default `{ maxOldGenerationSizeMb: 512 }`.
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

/** Options of {@link PhpWorker.run}. */
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

/** Result of {@link PhpWorker.run}. A PHP failure is data (`exitCode !== 0`, `errors`), not an exception. */
export interface PhpRunResult {
  readonly exitCode: number
  /** stdout, decoded as UTF-8, at most `maxOutputBytes` together with stderr. */
  readonly stdout: string
  readonly stderr: string
  /** Bytes PHP actually wrote, including any beyond the cap. */
  readonly stdoutBytes: number
  readonly stderrBytes: number
  /** Whether output beyond `maxOutputBytes` was dropped. */
  readonly truncated: boolean
  /** Error-log entries written during the call (fatal errors carry file and line). */
  readonly errors: readonly PhpLogEntry[]
  readonly durationMs: number
}

/** An HTTP request to the runtime's request handler (WordPress). */
export interface PhpHttpRequest {
  /** Default `GET`. */
  readonly method?: string
  /** Path and query, e.g. `/wp-json/wp/v2/posts?per_page=1`. */
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
}

/** Response of {@link PhpWorker.request}. */
export interface PhpHttpResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, readonly string[]>>
  /** Body bytes, at most `maxOutputBytes`. */
  readonly body: Uint8Array
  /** Body bytes PHP produced, including any beyond the cap. */
  readonly bodyBytes: number
  readonly truncated: boolean
  readonly errors: readonly PhpLogEntry[]
  readonly durationMs: number
}

/** How and why the worker thread ended. */
export interface PhpWorkerExit {
  /**
   * `terminated`: {@link PhpWorker.terminate} was called; `aborted`: a call's signal terminated it;
   * `crashed`: an uncaught error or wasm trap inside the worker; `oom`: the worker hit its V8
   * resource limits; `exited`: it stopped on its own.
   */
  readonly reason: 'terminated' | 'aborted' | 'crashed' | 'oom' | 'exited'
  readonly exitCode: number
  /** The worker-side error for `crashed` and `oom`. */
  readonly error?: SerializedError
}

interface PendingCall {
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
  readonly onOutput?: ((stream: 'stdout' | 'stderr', chunk: Uint8Array) => void) | undefined
  readonly output: { stdout: Uint8Array[]; stderr: Uint8Array[]; kept: number; max: number }
}

let nextProcessId = 1

function abortReasonMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason
  if (reason instanceof Error && reason.name === 'TimeoutError') return 'timed out'
  return 'aborted'
}

function combineSignals(options: PhpWorkerCallOptions | undefined): AbortSignal | undefined {
  const signals: AbortSignal[] = []
  if (options?.signal) signals.push(options.signal)
  if (options?.timeoutMs !== undefined) signals.push(AbortSignal.timeout(options.timeoutMs))
  if (signals.length === 0) return undefined
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals)
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}

const decoder = new TextDecoder()

/**
 * One PHP (php-wasm) runtime in its own worker thread, so the host can stop it at any time.
 *
 * A PHP request blocks its thread for its whole duration and `set_time_limit` cannot interrupt a
 * busy loop, so every call takes a `signal`: aborting it terminates the thread (~15 ms) and rejects
 * the call with {@link PhpWorkerTerminatedError} (`reason: 'aborted'`). The worker is then gone;
 * start a new one. Calls are executed one at a time in the order they are made.
 *
 * @example
 * ```ts
 * await using php = await PhpWorker.start({ wordpress: { siteDir } })
 * const { stdout } = await php.run({ code: `<?php require '/wordpress/wp-load.php'; echo get_bloginfo('version');` })
 * const res = await php.request({ url: '/wp-json/' }, { timeoutMs: 30_000 })
 * ```
 */
export class PhpWorker implements AsyncDisposable {
  readonly #worker: Worker
  readonly #options: PhpWorkerOptions
  readonly #pending = new Map<number, PendingCall>()
  #nextId = 1
  #exit: PhpWorkerExit | undefined
  #exitReasonHint: 'terminated' | 'aborted' | undefined
  #crashError: SerializedError | undefined
  #terminating: Promise<void> | undefined
  #info: InitResult | undefined
  /** Resolves once the worker thread has ended, with the reason. Never rejects. */
  readonly exited: Promise<PhpWorkerExit>

  private constructor(options: PhpWorkerOptions) {
    this.#options = options
    this.#worker = new Worker(new URL('./php-worker.mjs', import.meta.url), {
      resourceLimits: options.resourceLimits ?? { maxOldGenerationSizeMb: 512 },
      stdout: true,
      stderr: true,
    })
    if (options.unref) this.#worker.unref()
    for (const stream of [this.#worker.stdout, this.#worker.stderr]) {
      stream.setEncoding('utf8')
      stream.on('data', (text: string) => {
        for (const line of text.split('\n')) if (line.trim() !== '') options.logger?.debug(line)
      })
    }
    let workerError: (Error & { code?: string }) | undefined
    this.#worker.on('error', (error: Error & { code?: string }) => {
      workerError = error
    })
    this.#worker.on('message', (message: WorkerMessage) => this.#onMessage(message))
    this.exited = new Promise<PhpWorkerExit>((resolve) => {
      this.#worker.once('exit', (exitCode) => {
        let exit: PhpWorkerExit
        if (workerError?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          exit = {
            reason: 'oom',
            exitCode,
            error: { name: workerError.name, message: workerError.message, code: workerError.code },
          }
        } else if (this.#crashError) exit = { reason: 'crashed', exitCode, error: this.#crashError }
        else if (workerError) {
          exit = {
            reason: 'crashed',
            exitCode,
            error: { name: workerError.name, message: workerError.message, code: workerError.code },
          }
        } else exit = { reason: this.#exitReasonHint ?? 'exited', exitCode }
        this.#exit = exit
        this.#rejectAll(exit)
        resolve(exit)
        try {
          options.onExit?.(exit)
        } catch {
          // A throwing listener must not turn a clean exit into an unhandled error.
        }
      })
    })
  }

  /**
   * Starts a worker thread, loads PHP and (optionally) WordPress in it.
   *
   * @throws {PhpWorkerTerminatedError} when `signal` aborts or the worker dies while starting.
   * @throws {PhpWorkerCallError} when PHP or WordPress fails to boot.
   * @throws {PhpVersionUnsupportedError} `PHP_VERSION_UNSUPPORTED`, before any thread starts, for a version that
   * does not load (the message lists the ones that do).
   */
  static async start(
    options: PhpWorkerOptions = {},
    callOptions: PhpWorkerCallOptions = {},
  ): Promise<PhpWorker> {
    assertLoadablePhpVersion(options.phpVersion ?? '8.3', 'PhpWorker.start({ phpVersion })')
    const worker = new PhpWorker(options)
    try {
      const info = (await worker.#call(
        {
          type: 'init',
          init: {
            phpVersion: options.phpVersion ?? '8.3',
            processId: nextProcessId++,
            network: options.network ?? 'deny',
            phpIni: { memory_limit: options.memoryLimit ?? '256M', ...options.phpIni },
            wordpress: options.wordpress,
            mounts: options.mounts,
            constants: options.constants,
            opcache: options.opcache ?? false,
            wasmModule: await compiledPhpModule(options.phpVersion ?? '8.3', options.cacheDir),
          },
        },
        callOptions,
      )) as InitResult
      worker.#info = info
      return worker
    } catch (error) {
      await worker.terminate()
      throw error
    }
  }

  /** PHP version and boot timing reported by the worker. */
  get info(): InitResult {
    if (!this.#info) throw new PhpWorkerCallError('PHP worker has not started')
    return this.#info
  }

  /** Makes the worker keep the process alive again (after the `unref` start option). */
  ref(): void {
    this.#worker.ref()
  }

  /** Whether the worker thread has ended. */
  get isExited(): boolean {
    return this.#exit !== undefined
  }

  /** Runs PHP code or a script. Output beyond `maxOutputBytes` is counted but dropped. */
  async run(input: PhpRunInput, options: PhpRunOptions = {}): Promise<PhpRunResult> {
    const started = performance.now()
    const maxOutputBytes = options.maxOutputBytes ?? this.#options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES
    const output: PendingCall['output'] = { stdout: [], stderr: [], kept: 0, max: maxOutputBytes }
    const onOutput = options.onOutput
    const result = (await this.#call(
      {
        type: 'run',
        code: 'code' in input ? input.code : undefined,
        scriptPath: 'scriptPath' in input ? input.scriptPath : undefined,
        env: input.env,
        maxOutputBytes,
      },
      options,
      { output, onOutput: onOutput ? (stream, chunk) => onOutput({ stream, chunk }) : undefined },
    )) as RunResultMessage
    return {
      exitCode: result.exitCode,
      stdout: decoder.decode(concat(output.stdout)),
      stderr: decoder.decode(concat(output.stderr)),
      stdoutBytes: result.stdoutBytes,
      stderrBytes: result.stderrBytes,
      truncated: result.truncated || output.kept < result.stdoutBytes + result.stderrBytes,
      errors: result.errors,
      durationMs: performance.now() - started,
    }
  }

  /** Sends an HTTP request to WordPress (needs the `wordpress` start option). */
  async request(request: PhpHttpRequest, options: PhpRunOptions = {}): Promise<PhpHttpResponse> {
    const started = performance.now()
    const maxOutputBytes = options.maxOutputBytes ?? this.#options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES
    const body = typeof request.body === 'string' ? new TextEncoder().encode(request.body) : request.body
    const result = (await this.#call(
      {
        type: 'request',
        method: request.method ?? 'GET',
        url: request.url,
        headers: request.headers ?? {},
        body,
        maxOutputBytes,
      },
      options,
    )) as RequestResultMessage
    return { ...result, durationMs: performance.now() - started }
  }

  /** Reads a file from the PHP filesystem. */
  async readFile(path: string, options?: PhpWorkerCallOptions): Promise<Uint8Array> {
    return (await this.#call({ type: 'readFile', path }, options)) as Uint8Array
  }

  /** Writes a file in the PHP filesystem, creating parent directories. */
  async writeFile(path: string, data: string | Uint8Array, options?: PhpWorkerCallOptions): Promise<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
    await this.#call({ type: 'writeFile', path, data: bytes }, options)
  }

  /** Lists the names in a directory of the PHP filesystem. */
  async listFiles(path: string, options?: PhpWorkerCallOptions & { recursive?: boolean }): Promise<string[]> {
    return (await this.#call(
      { type: 'listFiles', path, recursive: options?.recursive ?? false },
      options,
    )) as string[]
  }

  /** Creates a directory (and its parents) in the PHP filesystem. */
  async mkdir(path: string, options?: PhpWorkerCallOptions): Promise<void> {
    await this.#call({ type: 'mkdir', path }, options)
  }

  /** Removes a file, or a directory (recursively with `recursive: true`). */
  async unlink(path: string, options?: PhpWorkerCallOptions & { recursive?: boolean }): Promise<void> {
    await this.#call({ type: 'unlink', path, recursive: options?.recursive ?? false }, options)
  }

  /**
   * Reads a directory tree back; paths are relative to `path`, symlinks are skipped. Fails beyond
   * `maxBytes` (default 256 MiB). With `skipMounts: true` (default `false`) subtrees that are other
   * mounts are left out: `exportDir('/wordpress', { skipMounts: true })` is the site layer without
   * the shared read-only core.
   */
  async exportDir(
    path: string,
    options?: PhpWorkerCallOptions & { maxBytes?: number; skipMounts?: boolean },
  ): Promise<ExportedFile[]> {
    const maxBytes = options?.maxBytes ?? DEFAULT_MAX_EXPORT_BYTES
    return (await this.#call(
      { type: 'exportDir', path, maxBytes, skipMounts: options?.skipMounts ?? false },
      options,
    )) as ExportedFile[]
  }

  /**
   * Mounts a host directory (or file) into the PHP filesystem via NODEFS.
   * Returns the undo; with `readOnly`, PHP writes under it fail with EROFS.
   */
  async mount(
    mount: WorkerMountSpec,
    options?: PhpWorkerCallOptions,
  ): Promise<(options?: PhpWorkerCallOptions) => Promise<void>> {
    const mountId = (await this.#call(
      { type: 'mount', hostPath: mount.hostPath, vfsPath: mount.vfsPath, readOnly: mount.readOnly ?? false },
      options,
    )) as number
    let undone = false
    return async (undoOptions) => {
      if (undone || this.isExited) return
      undone = true
      await this.#call({ type: 'unmount', mountId }, undoOptions)
    }
  }

  /**
   * Stops the worker thread. Idempotent and safe to race; pending calls reject with
   * {@link PhpWorkerTerminatedError} (`reason: 'exited'`).
   */
  terminate(): Promise<void> {
    if (!this.#terminating) {
      this.#exitReasonHint ??= 'terminated'
      this.#terminating = (async () => {
        if (!this.#exit) await this.#worker.terminate()
        await this.exited
      })()
    }
    return this.#terminating
  }

  /** Same as {@link PhpWorker.terminate}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate()
  }

  /** @internal Test hook: makes the worker crash the way a wasm trap does. */
  async crashForTesting(kind: 'uncaught-exception' | 'unhandled-rejection'): Promise<never> {
    await this.#call({ type: 'selfTest', kind }, undefined)
    throw new PhpWorkerCallError('PHP worker self-test did not crash')
  }

  #call(
    message: DistributiveOmit<WorkerRequest, 'id'>,
    options: PhpWorkerCallOptions | undefined,
    extra: { output?: PendingCall['output']; onOutput?: PendingCall['onOutput'] } = {},
  ): Promise<unknown> {
    if (this.#exit) {
      return Promise.reject(
        new PhpWorkerTerminatedError(
          this.#exit.reason === 'crashed' || this.#exit.reason === 'oom' ? 'crashed' : 'exited',
          `PHP worker has already ended (${this.#exit.reason})`,
        ),
      )
    }
    const signal = combineSignals(options)
    if (signal?.aborted) {
      return Promise.reject(
        new PhpWorkerTerminatedError(
          'aborted',
          `PHP worker call ${abortReasonMessage(signal)} before it started`,
          {
            cause: signal.reason,
          },
        ),
      )
    }
    const id = this.#nextId++
    const output = extra.output ?? { stdout: [], stderr: [], kept: 0, max: DEFAULT_MAX_OUTPUT_BYTES }
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = () => {
        const pending = this.#pending.get(id)
        if (!pending) return
        this.#pending.delete(id)
        this.#exitReasonHint ??= 'aborted'
        reject(
          new PhpWorkerTerminatedError(
            'aborted',
            `PHP worker call ${abortReasonMessage(signal as AbortSignal)}; the worker was terminated`,
            {
              cause: (signal as AbortSignal).reason,
              partialOutput: {
                stdout: decoder.decode(concat(output.stdout)),
                stderr: decoder.decode(concat(output.stderr)),
              },
            },
          ),
        )
        void this.terminate()
      }
      const cleanup = () => signal?.removeEventListener('abort', onAbort)
      this.#pending.set(id, {
        resolve: (value) => {
          cleanup()
          resolve(value)
        },
        reject: (error) => {
          cleanup()
          reject(error)
        },
        onOutput: extra.onOutput,
        output,
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#worker.postMessage({ ...message, id } as WorkerRequest)
    })
  }

  #onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'result': {
        const pending = this.#pending.get(message.id)
        if (!pending) return
        this.#pending.delete(message.id)
        if (message.ok) pending.resolve(message.value)
        else {
          pending.reject(
            new PhpWorkerCallError(message.error.message, {
              details: { workerError: message.error.name, workerCode: message.error.code ?? null },
            }),
          )
        }
        return
      }
      case 'output': {
        const pending = this.#pending.get(message.id)
        if (!pending) return
        const room = pending.output.max - pending.output.kept
        const chunk =
          message.chunk.byteLength > room ? message.chunk.subarray(0, Math.max(0, room)) : message.chunk
        if (chunk.byteLength === 0) return
        pending.output.kept += chunk.byteLength
        pending.output[message.stream].push(chunk)
        pending.onOutput?.(message.stream, chunk)
        return
      }
      case 'log':
        this.#options.onLog?.(message.entry)
        return
      case 'event':
        this.#options.onEvent?.(message.event)
        return
      case 'crashed':
        this.#crashError = message.error
        return
    }
  }

  #rejectAll(exit: PhpWorkerExit): void {
    const reason =
      exit.reason === 'crashed' || exit.reason === 'oom'
        ? 'crashed'
        : exit.reason === 'aborted'
          ? 'aborted'
          : 'exited'
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id)
      pending.reject(
        new PhpWorkerTerminatedError(reason, `PHP worker ended (${exit.reason}) before answering`, {
          details: exit.error ? { workerError: exit.error.name, workerMessage: exit.error.message } : {},
          partialOutput: {
            stdout: decoder.decode(concat(pending.output.stdout)),
            stderr: decoder.decode(concat(pending.output.stderr)),
          },
        }),
      )
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** Whether `error` is a {@link BackendPlaygroundError} (by code, across package copies). */
export function isPhpWorkerTerminatedError(error: unknown): error is PhpWorkerTerminatedError {
  return error instanceof BackendPlaygroundError
    ? error.code === 'PHP_WORKER_TERMINATED'
    : typeof error === 'object' &&
        error !== null &&
        (error as { code?: unknown }).code === 'PHP_WORKER_TERMINATED'
}
