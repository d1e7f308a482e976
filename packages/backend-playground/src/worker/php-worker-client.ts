/**
 * `PhpWorker`: the host side of one PHP worker thread. Its options and results are in php-worker-options.ts and
 * php-worker-results.ts, the calls in flight in worker-calls.ts, the messages in php-worker-protocol.ts.
 *
 * @module
 */
import type { Worker } from 'node:worker_threads'
import { BackendPlaygroundError, PhpWorkerCallError, PhpWorkerTerminatedError } from '../errors.js'
import { assertLoadablePhpVersion, compiledPhpModule } from './compiled-php-module.js'
import { type PhpWorkerEntry, phpWorkerEntry } from './php-worker-entry.js'
import {
  DEFAULT_MAX_EXPORT_BYTES,
  DEFAULT_MAX_OUTPUT_BYTES,
  type PhpHttpRequest,
  type PhpRunInput,
  type PhpRunOptions,
  type PhpWorkerCallOptions,
  type PhpWorkerOptions,
} from './php-worker-options.js'
import type {
  ExportedFile,
  InitResult,
  SerializedError,
  WorkerCall,
  WorkerMessage,
  WorkerMountSpec,
  WorkerReplies,
  WorkerRequest,
} from './php-worker-protocol.js'
import type { PhpHttpResponse, PhpRunResult, PhpWorkerExit } from './php-worker-results.js'
import { refillSpareThread, type ThreadOptions, takeThread } from './spare-threads.js'
import {
  abortReasonMessage,
  type CallOutput,
  callOutput,
  combineSignals,
  decodeOutput,
  type OutputStream,
  WorkerCalls,
} from './worker-calls.js'

/**
 * The worker thread's V8 limits when the caller gives none. The young generation is kept small: V8's default let each
 * idle runtime's thread hold several MB of short-lived garbage, and a long-lived one grow with it. Measured with
 * `pnpm bench` on 2 cores (default → 4 MB): RSS per idle runtime 40.5–42.0 → 38.6–39.6 MB; soak RSS growth 17.6 →
 * 7.1 %; warm REST, GraphQL and run-php p50 unchanged within run-to-run noise.
 */
const DEFAULT_RESOURCE_LIMITS = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 4 } as const

/** How a PHP worker's thread is created: the same for every worker with the same entry and limits. */
function threadOptions(options: PhpWorkerOptions, entry: PhpWorkerEntry): ThreadOptions {
  return { entry, resourceLimits: options.resourceLimits ?? DEFAULT_RESOURCE_LIMITS }
}

let nextProcessId = 1
/** Process ids of live deterministic workers; each takes the lowest free one from {@link DETERMINISTIC_PID_BASE}. */
const deterministicPids = new Set<number>()
/**
 * Where deterministic workers' process ids start (PHP's `getmypid()`, and the seed of `lcg_value()` and of PHP 8.0/8.1's
 * `mt_rand()`): the lowest free one, so sequential runs see the same pid. Far above what the counter reaches.
 */
const DETERMINISTIC_PID_BASE = 1_000_000

/** A process id unique among live workers (php-wasm locks files by it), reproducible for deterministic ones. */
function takeProcessId(deterministic: boolean): number {
  if (!deterministic) return nextProcessId++
  let pid = DETERMINISTIC_PID_BASE
  while (deterministicPids.has(pid)) pid++
  deterministicPids.add(pid)
  return pid
}

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
  readonly #calls = new WorkerCalls()
  #exit: PhpWorkerExit | undefined
  #exitReasonHint: 'terminated' | 'aborted' | undefined
  #crashError: SerializedError | undefined
  #terminating: Promise<void> | undefined
  #info: InitResult | undefined
  /** Resolves once the worker thread has ended, with the reason. Never rejects. */
  readonly exited: Promise<PhpWorkerExit>

  private constructor(options: PhpWorkerOptions, thread: ThreadOptions) {
    this.#options = options
    this.#worker = takeThread(thread)
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
        this.#calls.rejectAll(exit)
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
    const thread = threadOptions(options, await phpWorkerEntry())
    const worker = new PhpWorker(options, thread)
    const processId = takeProcessId(options.deterministic !== undefined)
    if (options.deterministic) void worker.exited.then(() => deterministicPids.delete(processId))
    try {
      worker.#info = await worker.#call(
        {
          type: 'init',
          init: {
            phpVersion: options.phpVersion ?? '8.3',
            processId,
            network: options.network ?? 'deny',
            phpIni: { memory_limit: options.memoryLimit ?? '256M', ...options.phpIni },
            wordpress: options.wordpress,
            mounts: options.mounts,
            constants: options.constants,
            opcache: options.opcache ?? false,
            ...(options.deterministic ? { deterministic: options.deterministic } : {}),
            wasmModule: await compiledPhpModule(options.phpVersion ?? '8.3', options.cacheDir),
          },
        },
        callOptions,
      )
      // The next start takes a thread that is already up, started now that this one's PHP no longer needs the CPU.
      refillSpareThread(thread)
      return worker
    } catch (error) {
      await worker.terminate()
      throw error
    }
  }

  /** The worker thread's id (`worker_threads`), for diagnostics. */
  get threadId(): number {
    return this.#worker.threadId
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
    const output = callOutput(maxOutputBytes)
    const onOutput = options.onOutput
    const result = await this.#call(
      {
        type: 'run',
        code: 'code' in input ? input.code : undefined,
        scriptPath: 'scriptPath' in input ? input.scriptPath : undefined,
        env: input.env,
        maxOutputBytes,
      },
      options,
      { output, onOutput: onOutput ? (stream, chunk) => onOutput({ stream, chunk }) : undefined },
    )
    return {
      exitCode: result.exitCode,
      stdout: decodeOutput(output, 'stdout'),
      stderr: decodeOutput(output, 'stderr'),
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
    const result = await this.#call(
      {
        type: 'request',
        method: request.method ?? 'GET',
        url: request.url,
        headers: request.headers ?? {},
        body,
        maxOutputBytes,
      },
      options,
    )
    return { ...result, durationMs: performance.now() - started }
  }

  /** Reads a file from the PHP filesystem. */
  async readFile(path: string, options?: PhpWorkerCallOptions): Promise<Uint8Array> {
    return this.#call({ type: 'readFile', path }, options)
  }

  /** Writes a file in the PHP filesystem, creating parent directories. */
  async writeFile(path: string, data: string | Uint8Array, options?: PhpWorkerCallOptions): Promise<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
    await this.#call({ type: 'writeFile', path, data: bytes }, options)
  }

  /** Lists the names in a directory of the PHP filesystem. */
  async listFiles(path: string, options?: PhpWorkerCallOptions & { recursive?: boolean }): Promise<string[]> {
    return this.#call({ type: 'listFiles', path, recursive: options?.recursive ?? false }, options)
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
    return this.#call(
      { type: 'exportDir', path, maxBytes, skipMounts: options?.skipMounts ?? false },
      options,
    )
  }

  /**
   * Mounts a host directory (or file) into the PHP filesystem via NODEFS.
   * Returns the undo; with `readOnly`, PHP writes under it fail with EROFS.
   */
  async mount(
    mount: WorkerMountSpec,
    options?: PhpWorkerCallOptions,
  ): Promise<(options?: PhpWorkerCallOptions) => Promise<void>> {
    const mountId = await this.#call(
      { type: 'mount', hostPath: mount.hostPath, vfsPath: mount.vfsPath, readOnly: mount.readOnly ?? false },
      options,
    )
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

  /**
   * Sends one request; resolves with the worker's answer, typed by the protocol's {@link WorkerReplies}.
   * The one unchecked step is matching the answer to its request by `id`, which the worker guarantees.
   */
  #call<T extends WorkerRequest['type']>(
    message: WorkerCall<T> & { readonly type: T },
    options: PhpWorkerCallOptions | undefined,
    extra: { output?: CallOutput; onOutput?: (stream: OutputStream, chunk: Uint8Array) => void } = {},
  ): Promise<WorkerReplies[T]> {
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
    return this.#calls.open<WorkerReplies[T]>({
      output: extra.output ?? callOutput(DEFAULT_MAX_OUTPUT_BYTES),
      onOutput: extra.onOutput,
      signal,
      onAbort: () => {
        this.#exitReasonHint ??= 'aborted'
        void this.terminate()
      },
      send: (id) => this.#worker.postMessage({ ...message, id } as WorkerRequest),
    })
  }

  #onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'result':
        this.#calls.settle(message)
        return
      case 'output':
        this.#calls.output(message)
        return
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
}

/** Whether `error` is a {@link BackendPlaygroundError} (by code, across package copies). */
export function isPhpWorkerTerminatedError(error: unknown): error is PhpWorkerTerminatedError {
  return error instanceof BackendPlaygroundError
    ? error.code === 'PHP_WORKER_TERMINATED'
    : typeof error === 'object' &&
        error !== null &&
        (error as { code?: unknown }).code === 'PHP_WORKER_TERMINATED'
}
