/**
 * worker_threads entry that owns one php-wasm runtime. The host side is `php-worker-client.ts`; the message
 * protocol both sides compile against is `php-worker-protocol.ts`. How this file is loaded (tsc output from
 * `dist/`, or an esbuild bundle when running from source) is `php-worker-entry.ts`'s job.
 *
 * Safety properties established at `init`, before any PHP runs (`boot-php.ts`, `load-php.ts`):
 * - process execution from PHP (`shell_exec`, `exec`, `system`, `passthru`, `popen`, `proc_open`)
 *   fails fast: the spawn handler answers with a process that writes an error to stderr and exits 126;
 * - outbound sockets go through `network-policy.ts`; php-wasm's WebSocket-to-TCP relay server is
 *   never started (we do not call `loadNodeRuntime`, which always starts it), so no port is opened;
 * - uncaught exceptions and unhandled rejections (wasm traps surface that way) are reported as a
 *   `crashed` message and end this thread, never the host process.
 *
 * @module
 */
import { parentPort, type TransferListItem } from 'node:worker_threads'
import { type BootedPhp, bootPhp } from './boot-php.js'
import { installDeterministicSources } from './deterministic-sources.js'
import { createOutputCapture, type OutputCapture } from './output-capture.js'
import { emscriptenRuntimeOf } from './php-wasm-api.js'
import type {
  PhpLogEntry,
  SerializedError,
  WorkerEvent,
  WorkerMessage,
  WorkerReplies,
  WorkerRequest,
  WorkerRequestOf,
} from './php-worker-protocol.js'
import { createNodeFsMount, exportVfsTree } from './vfs.js'

/** What a handler answers: the result value and the buffers to transfer with it. */
interface Reply<T> {
  readonly value: T
  readonly transfer?: TransferListItem[]
}

/** One handler per request type, each answering with the value {@link WorkerReplies} promises the host. */
type Handlers = {
  readonly [T in WorkerRequest['type']]: (message: WorkerRequestOf<T>) => Promise<Reply<WorkerReplies[T]>>
}

/** The channel to the host. */
interface HostPort {
  postMessage(message: WorkerMessage, transfer?: TransferListItem[]): void
  on(event: 'message', listener: (message: WorkerRequest) => void): void
}

/**
 * A worker_threads parent port, or (for measurements against child_process.fork with
 * `serialization: 'advanced'`, see `scripts/measure-isolation.ts`) the IPC channel of a child process.
 */
function hostPort(): HostPort {
  if (parentPort) return parentPort as unknown as HostPort
  const send = process.send?.bind(process)
  if (!send) throw new Error('php-worker must run in a worker thread or a forked child process')
  return {
    postMessage: (message) => void send(message),
    on: (event, listener) => void process.on(event, listener as (message: unknown) => void),
  }
}

const port = hostPort()

function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return {
      name: error.name,
      message: error.message,
      code: typeof code === 'string' ? code : undefined,
      stack: error.stack,
    }
  }
  return { name: 'Error', message: String(error) }
}

function post(message: WorkerMessage, transfer?: TransferListItem[]): void {
  port.postMessage(message, transfer ?? [])
}

let crashed = false
function crash(error: unknown): void {
  if (crashed) return
  crashed = true
  try {
    post({ type: 'crashed', error: serializeError(error) })
  } finally {
    // Ends this thread only; the host sees `exit` with this code.
    process.exit(70)
  }
}
process.on('uncaughtException', crash)
process.on('unhandledRejection', crash)

function emitEvent(event: WorkerEvent): void {
  post({ type: 'event', event })
}

let booted: BootedPhp | undefined
let booting = false
let activeCapture: OutputCapture | null = null
let nextMountId = 1
const mounts = new Map<number, () => unknown>()

function requireBooted(): BootedPhp {
  if (!booted)
    throw Object.assign(new Error('PHP worker is not initialised'), { code: 'PHP_WORKER_NOT_READY' })
  return booted
}

function drainErrorLog(): PhpLogEntry[] {
  const entries = booted?.errorLog.drain() ?? []
  for (const entry of entries) post({ type: 'log', entry })
  return entries
}

/**
 * A rejected php-wasm call means php-wasm itself failed (PHP-level failures resolve with an exit
 * code), after which php-wasm has disabled the instance: report and end the thread.
 */
async function guardRuntime<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body()
  } catch (error) {
    crash(error)
    throw error
  }
}

/** Runs `body` with `capture` receiving PHP's output. */
async function capturing<T>(capture: OutputCapture, body: () => Promise<T>): Promise<T> {
  activeCapture = capture
  try {
    return await guardRuntime(body)
  } finally {
    activeCapture = null
  }
}

const handlers: Handlers = {
  async init(message) {
    if (booted || booting) throw new Error('PHP worker is already initialised')
    booting = true
    if (message.init.deterministic) installDeterministicSources(message.init.deterministic)
    booted = await bootPhp(message.init, { emitEvent, currentCapture: () => activeCapture })
    return { value: booted.result }
  },
  async run(message) {
    const { php } = requireBooted()
    const capture = createOutputCapture(message.maxOutputBytes, 'forward', (stream, chunk) =>
      post({ type: 'output', id: message.id, stream, chunk }, [chunk.buffer as ArrayBuffer]),
    )
    let exitCode: number
    try {
      exitCode = await capturing(capture, async () => {
        const response = await php.runStream({
          code: message.code,
          scriptPath: message.scriptPath,
          env: message.env ? { ...message.env } : undefined,
        })
        const code = await response.exitCode
        await response.finished
        return code
      })
    } finally {
      capture.flush()
    }
    return { value: { exitCode, ...capture.summary(), errors: drainErrorLog() } }
  },
  async request(message) {
    const { requestHandler } = requireBooted()
    if (!requestHandler) {
      throw Object.assign(new Error('HTTP requests need a WordPress (or documentRoot) runtime'), {
        code: 'PHP_WORKER_NO_REQUEST_HANDLER',
      })
    }
    const capture = createOutputCapture(message.maxOutputBytes, 'pass', () => {})
    const response = await capturing(capture, () =>
      requestHandler.request({
        method: message.method,
        url: message.url,
        headers: { ...message.headers },
        body: message.body,
      }),
    )
    const { stdoutBytes, truncated } = capture.summary()
    const body = response.bytes.slice()
    return {
      value: {
        status: response.httpStatusCode,
        headers: response.headers,
        body,
        bodyBytes: stdoutBytes,
        truncated,
        errors: drainErrorLog(),
      },
      transfer: [body.buffer],
    }
  },
  async readFile(message) {
    const bytes = requireBooted().php.readFileAsBuffer(message.path).slice()
    return { value: bytes, transfer: [bytes.buffer] }
  },
  async writeFile(message) {
    const { php } = requireBooted()
    const dir = message.path.replace(/\/[^/]*$/, '')
    if (dir && !php.isDir(dir)) php.mkdir(dir)
    php.writeFile(message.path, message.data)
    return { value: undefined }
  },
  async listFiles(message) {
    return { value: requireBooted().php.listFiles(message.path, { prependPath: false }) }
  },
  async mkdir(message) {
    requireBooted().php.mkdir(message.path)
    return { value: undefined }
  },
  async unlink(message) {
    const { php } = requireBooted()
    if (php.isDir(message.path)) php.rmdir(message.path, { recursive: message.recursive })
    else php.unlink(message.path)
    return { value: undefined }
  },
  async exportDir(message) {
    const { FS } = emscriptenRuntimeOf(requireBooted().php)
    const files = exportVfsTree(FS, message.path, message.maxBytes, { skipMounts: message.skipMounts })
    return { value: files, transfer: files.map((file) => file.bytes.buffer as ArrayBuffer) }
  },
  async mount(message) {
    const unmount = await requireBooted().php.mount(
      message.vfsPath,
      createNodeFsMount(message.hostPath, { readOnly: message.readOnly }),
    )
    const mountId = nextMountId++
    mounts.set(mountId, unmount)
    return { value: mountId }
  },
  async unmount(message) {
    const unmount = mounts.get(message.mountId)
    if (!unmount) {
      throw Object.assign(new Error(`No mount with id ${message.mountId}`), {
        code: 'PHP_WORKER_NO_SUCH_MOUNT',
      })
    }
    mounts.delete(message.mountId)
    await unmount()
    return { value: undefined }
  },
  selfTest(message) {
    if (message.kind === 'uncaught-exception') {
      setImmediate(() => {
        throw new Error('codebox self-test: uncaught exception in the PHP worker')
      })
    } else {
      void Promise.reject(new Error('codebox self-test: unhandled rejection in the PHP worker'))
    }
    return new Promise(() => {})
  },
}

function dispatch(message: WorkerRequest): Promise<Reply<WorkerReplies[WorkerRequest['type']]>> {
  const handler = handlers[message.type] as ((message: WorkerRequest) => Promise<Reply<unknown>>) | undefined
  if (!handler) throw new Error(`Unknown message type ${(message as { type: string }).type}`)
  return handler(message) as Promise<Reply<WorkerReplies[WorkerRequest['type']]>>
}

// Messages are handled one at a time: php-wasm runs one request per instance anyway, and ordering
// file operations after a running call is what callers expect.
let queue = Promise.resolve()
port.on('message', (message) => {
  queue = queue.then(async () => {
    try {
      const { value, transfer } = await dispatch(message)
      post({ type: 'result', id: message.id, ok: true, value }, transfer)
    } catch (error) {
      if (!crashed) post({ type: 'result', id: message.id, ok: false, error: serializeError(error) })
    }
  })
})
