// @ts-check
/**
 * worker_threads entry that owns one php-wasm runtime.
 *
 * Plain JavaScript (checked through JSDoc) because Node 20 cannot load TypeScript in a worker
 * without a loader. The host side is `php-worker-client.ts`; the message protocol is described in
 * `php-worker-protocol.ts`.
 *
 * Safety properties established at `init`, before any PHP runs:
 * - process execution from PHP (`shell_exec`, `exec`, `system`, `passthru`, `popen`, `proc_open`)
 *   fails fast: the spawn handler answers with a process that writes an error to stderr and exits 126;
 * - outbound sockets go through `network-policy.mjs`; php-wasm's WebSocket-to-TCP relay server is
 *   never started (we do not call `loadNodeRuntime`, which always starts it), so no port is opened;
 * - uncaught exceptions and unhandled rejections (wasm traps surface that way) are reported as a
 *   `crashed` message and end this thread, never the host process.
 */
import { existsSync } from 'node:fs'
import { parentPort } from 'node:worker_threads'
import * as phpWasmNodeModule from '@php-wasm/node'
import * as phpWasmUniversalModule from '@php-wasm/universal'
import * as phpWasmUtilModule from '@php-wasm/util'
import { networkEmscriptenOptions } from './network-policy.mjs'
import { createErrorLogTail } from './php-error-log.mjs'
import { copyHostTreeToVfs, createNodeFsMount, enableReadOnlyNodeFsMounts, exportVfsTree } from './vfs.mjs'

/**
 * @typedef {import('./php-worker-protocol.js').WorkerRequest} WorkerRequest
 * @typedef {import('./php-worker-protocol.js').WorkerMessage} WorkerMessage
 * @typedef {import('./php-worker-protocol.js').WorkerInit} WorkerInit
 * @typedef {import('./php-worker-protocol.js').WorkerEvent} WorkerEvent
 * @typedef {import('./php-worker-protocol.js').SerializedError} SerializedError
 * @typedef {import('./php-worker-protocol.js').InitResult} InitResult
 * @typedef {import('./php-worker-protocol.js').RunResultMessage} RunResultMessage
 * @typedef {import('./php-worker-protocol.js').RequestResultMessage} RequestResultMessage
 * @typedef {import('./php-worker-protocol.js').PhpLogEntry} PhpLogEntry
 */

// The @php-wasm/* type declarations use `export * from './lib'`, which TypeScript cannot resolve
// under NodeNext (directory import in an ESM package), so their exports are invisible to the checker.
// The runtime imports are fine; here they are used untyped.
/** @type {any} */
const phpWasmNode = phpWasmNodeModule
/** @type {any} */
const phpWasmUniversal = phpWasmUniversalModule
/** @type {any} */
const phpWasmUtil = phpWasmUtilModule
const { bindUserSpace, FileLockManagerForPosix, getPHPLoaderModule } = phpWasmNode
const { __private__dont__use, isLegacyPHPVersion, loadPHPRuntime, PHP, PHPRequestHandler, setPhpIniEntries } =
  phpWasmUniversal
const { createSpawnHandler } = phpWasmUtil

/** @typedef {import('node:worker_threads').TransferListItem} Transferable */

/**
 * The channel to the host: a worker_threads parent port, or (for measurements against
 * child_process.fork with `serialization: 'advanced'`) the IPC channel of a child process.
 *
 * @type {{ postMessage(message: unknown, transfer?: Transferable[]): void, on(event: 'message', listener: (message: any) => void): void }}
 */
const port =
  parentPort ??
  (process.send
    ? {
        postMessage: (message) => void process.send?.(message),
        on: (event, listener) => void process.on(event, listener),
      }
    : (() => {
        throw new Error('php-worker.mjs must run in a worker thread or a forked child process')
      })())

const ERROR_LOG_PATH = '/internal/codebox/php-error.log'
const WORDPRESS_ROOT = '/wordpress'
/** Directories of an installed site that never change at runtime (shared, read-only in `nodefs-core`). */
const IMMUTABLE_SITE_DIRS = ['wp-admin', 'wp-includes', 'wp-content/plugins/sqlite-database-integration']
/** OPcache in shared (wasm) memory only: the file cache mode is slower and served stale eval code. */
const OPCACHE_INI = {
  'opcache.enable': '1',
  'opcache.enable_cli': '1',
  'opcache.file_cache': '',
  'opcache.file_cache_only': '0',
  'opcache.validate_timestamps': '1',
  'opcache.revalidate_freq': '0',
  'opcache.memory_consumption': '128',
  'opcache.interned_strings_buffer': '16',
  'opcache.max_accelerated_files': '10000',
}
/** Output chunks are batched for at most this long / this many bytes before being posted. */
const OUTPUT_FLUSH_MS = 25
const OUTPUT_FLUSH_BYTES = 64 * 1024

/** @param {unknown} error @returns {SerializedError} */
function serializeError(error) {
  if (error instanceof Error) {
    const code = /** @type {{ code?: unknown }} */ (error).code
    return {
      name: error.name,
      message: error.message,
      code: typeof code === 'string' ? code : undefined,
      stack: error.stack,
    }
  }
  return { name: 'Error', message: String(error) }
}

/** @param {WorkerMessage} message @param {Transferable[]} [transfer] */
function post(message, transfer) {
  port.postMessage(message, transfer ?? [])
}

let crashed = false
/** @param {unknown} error */
function crash(error) {
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

/** @param {WorkerEvent} event */
function emitEvent(event) {
  post({ type: 'event', event })
}

/**
 * @typedef {object} OutputCapture
 * @property {(stream: 'stdout' | 'stderr', chunk: Uint8Array) => Uint8Array | null} filter
 *   returns what to hand on to php-wasm's own response stream (null: nothing)
 * @property {() => void} flush
 * @property {() => { stdoutBytes: number, stderrBytes: number, truncated: boolean }} summary
 */

/**
 * Captures one call's output with a byte cap. In `forward` mode chunks are posted to the host as
 * they are produced (batched) and not kept in this thread; in `pass` mode they go on to php-wasm's
 * response (used for HTTP requests) until the cap, and the rest is dropped.
 *
 * @param {number} id
 * @param {number} maxOutputBytes
 * @param {'forward' | 'pass'} mode
 * @returns {OutputCapture}
 */
function createOutputCapture(id, maxOutputBytes, mode) {
  const totals = { stdout: 0, stderr: 0 }
  let kept = 0
  let truncated = false
  /** @type {{ stream: 'stdout' | 'stderr', chunk: Uint8Array }[]} */
  let pending = []
  let pendingBytes = 0
  // 0: the first chunk of a call is posted at once; later ones are batched for OUTPUT_FLUSH_MS.
  let lastFlush = 0
  const flush = () => {
    lastFlush = Date.now()
    if (pending.length === 0) return
    /** @type {{ stream: 'stdout' | 'stderr', parts: Uint8Array[], bytes: number }[]} */
    const merged = []
    for (const { stream, chunk } of pending) {
      const last = merged[merged.length - 1]
      if (last && last.stream === stream) {
        last.parts.push(chunk)
        last.bytes += chunk.byteLength
      } else merged.push({ stream, parts: [chunk], bytes: chunk.byteLength })
    }
    pending = []
    pendingBytes = 0
    for (const { stream, parts, bytes } of merged) {
      const chunk = new Uint8Array(bytes)
      let offset = 0
      for (const part of parts) {
        chunk.set(part, offset)
        offset += part.byteLength
      }
      post({ type: 'output', id, stream, chunk }, [chunk.buffer])
    }
  }
  return {
    filter(stream, chunk) {
      totals[stream] += chunk.byteLength
      let keep = chunk
      if (kept + chunk.byteLength > maxOutputBytes) {
        keep = chunk.subarray(0, Math.max(0, maxOutputBytes - kept))
        truncated = true
      }
      kept += keep.byteLength
      if (mode === 'pass') return keep.byteLength > 0 ? keep : null
      if (keep.byteLength > 0) {
        pending.push({ stream, chunk: keep.slice() })
        pendingBytes += keep.byteLength
      }
      if (pendingBytes >= OUTPUT_FLUSH_BYTES || Date.now() - lastFlush >= OUTPUT_FLUSH_MS) flush()
      return null
    },
    flush,
    summary: () => ({ stdoutBytes: totals.stdout, stderrBytes: totals.stderr, truncated }),
  }
}

/** @type {OutputCapture | null} */
let activeCapture = null

/**
 * Routes the runtime's stdout/stderr callbacks through {@link activeCapture}. php-wasm assigns
 * `runtime.onStdout`/`onStderr` at the start of every run; the accessor keeps that assignment as the
 * inner target and filters synchronously, while PHP is still executing, so output can be streamed
 * and capped without php-wasm buffering a flood in this thread.
 *
 * @param {any} runtime
 */
function interceptOutput(runtime) {
  for (const [key, stream] of /** @type {const} */ ([
    ['onStdout', 'stdout'],
    ['onStderr', 'stderr'],
  ])) {
    /** @type {((chunk: Uint8Array) => void) | undefined} */
    let inner
    Object.defineProperty(runtime, key, {
      configurable: true,
      get() {
        /** @param {Uint8Array} chunk */
        return (chunk) => {
          const out = activeCapture ? activeCapture.filter(stream, chunk) : chunk
          if (out) inner?.(out)
        }
      },
      set(fn) {
        inner = fn
      },
    })
  }
}

/**
 * Loads PHP the way `loadNodeRuntime` does, minus `withNetworking()` (which always starts the
 * WebSocket-to-TCP relay) and minus PHP extensions.
 *
 * @param {WorkerInit} init
 */
async function loadPhp(init) {
  if (isLegacyPHPVersion(/** @type {any} */ (init.phpVersion))) {
    throw Object.assign(new Error(`PHP ${init.phpVersion} is not supported by codebox`), {
      code: 'PHP_VERSION_UNSUPPORTED',
    })
  }
  const loader = await getPHPLoaderModule(/** @type {any} */ (init.phpVersion))
  const runtimeId = await loadPHPRuntime(loader, {
    // Emscripten calls quit() when PHP exit()s; throwing lets php-wasm turn it into an exit code.
    /** @param {number} _code @param {unknown} error */
    quit(_code, error) {
      throw error
    },
    /** @param {any} context */
    bindUserSpace: (context) => bindUserSpace({ fileLockManager: new FileLockManagerForPosix() }, context),
    processId: init.processId,
    // Instantiate the module the host compiled once, so every runtime shares its compiled machine code.
    ...(init.wasmModule
      ? {
          /** @param {object} imports @param {(instance: object, module: object) => void} receive */
          instantiateWasm(imports, receive) {
            const wasm = /** @type {any} */ (globalThis).WebAssembly
            const module = /** @type {object} */ (init.wasmModule)
            wasm
              .instantiate(module, imports)
              .then(/** @param {object} instance */ (instance) => receive(instance, module))
            return {}
          },
        }
      : {}),
    /** @param {any} runtime */
    onRuntimeInitialized(runtime) {
      // Same NODEFS fix-ups as loadNodeRuntime: readdir must list . and .., statfs on the root.
      const nodeFs = runtime.FS.filesystems.NODEFS
      const readdir = nodeFs.node_ops.readdir
      /** @param {any} node */
      nodeFs.node_ops.readdir = (node) => {
        const entries = readdir.call(nodeFs.node_ops, node)
        return entries.includes('.') ? entries : ['.', '..', ...entries]
      }
      runtime.FS.root.node_ops = { ...runtime.FS.root.node_ops, statfs: nodeFs.node_ops.statfs }
      runtime.FS.root.mount.opts.root = '.'
    },
    ...networkEmscriptenOptions(init.network, emitEvent),
  })
  const php = new PHP(runtimeId)
  await php.setSpawnHandler(
    createSpawnHandler(
      /** @param {string[]} argv @param {any} processApi */
      async (argv, processApi) => {
        const command = argv[0] ?? ''
        emitEvent({ type: 'process.denied', command })
        // createSpawnHandler requires the program to finish asynchronously so PHP can attach its pipes.
        await new Promise((resolve) => setTimeout(resolve, 1))
        processApi.stderr(`codebox: process execution is disabled in this runtime (${command})\n`)
        processApi.exit(126)
      },
    ),
  )
  return php
}

/** @type {any} */
let php
/** @type {any} */
let requestHandler
/** @type {ReturnType<typeof createErrorLogTail> | undefined} */
let errorLog
let nextMountId = 1
/** @type {Map<number, () => unknown>} */
const mounts = new Map()

function requirePhp() {
  if (!php) throw Object.assign(new Error('PHP worker is not initialised'), { code: 'PHP_WORKER_NOT_READY' })
  return php
}

/** @returns {PhpLogEntry[]} */
function drainErrorLog() {
  const entries = errorLog?.drain() ?? []
  for (const entry of entries) post({ type: 'log', entry })
  return entries
}

/** @param {WorkerInit} init @returns {Promise<InitResult>} */
async function handleInit(init) {
  if (php) throw new Error('PHP worker is already initialised')
  const started = performance.now()
  const instance = await loadPhp(init)
  php = instance
  const runtime = /** @type {any} */ (instance)[__private__dont__use]
  interceptOutput(runtime)
  const FS = runtime.FS
  instance.mkdir('/internal/codebox')
  // OPcache refuses unknown SAPI names; in-memory mode with timestamp checks on every include stays fresh.
  // Otherwise the CLI SAPI, as Playground's own CLI uses: WP-CLI refuses to run under any other SAPI name, and
  // WordPress serves requests the same way under it. The SAPI can only be chosen before the first request.
  await instance.setSapiName(init.opcache ? 'fpm-fcgi' : 'cli')
  await setPhpIniEntries(instance, {
    ...(init.opcache ? OPCACHE_INI : {}),
    memory_limit: '256M',
    display_errors: '0',
    html_errors: '0',
    log_errors: '1',
    error_log: ERROR_LOG_PATH,
    error_reporting: 'E_ALL',
    max_execution_time: '0',
    ...init.phpIni,
  })
  errorLog = createErrorLogTail(instance, ERROR_LOG_PATH)
  // post_message_to_js() from PHP: posted at once, so it reaches the host before the call's result.
  instance.onMessage((/** @type {string} */ data) => {
    emitEvent({ type: 'php.message', data: String(data) })
  })

  /** @type {InitResult['wordpress']} */
  let wordpress
  if (init.wordpress) {
    const layout = init.wordpress.layout ?? 'nodefs-core'
    const siteUrl = init.wordpress.siteUrl ?? 'http://127.0.0.1'
    const { siteDir } = init.wordpress
    let copied
    if (layout === 'memfs-copy') {
      copied = copyHostTreeToVfs(FS, siteDir, WORDPRESS_ROOT)
    } else {
      const immutable = new Set(IMMUTABLE_SITE_DIRS)
      copied = copyHostTreeToVfs(FS, siteDir, WORDPRESS_ROOT, { skip: (rel) => immutable.has(rel) })
      enableReadOnlyNodeFsMounts(FS)
      for (const dir of IMMUTABLE_SITE_DIRS) {
        const hostPath = `${siteDir}/${dir}`
        if (!existsSync(hostPath)) continue
        await instance.mount(`${WORDPRESS_ROOT}/${dir}`, createNodeFsMount(hostPath, { readOnly: true }))
      }
    }
    wordpress = { layout, copiedFiles: copied.files, copiedBytes: copied.bytes }
    instance.defineConstant('WP_HOME', siteUrl)
    instance.defineConstant('WP_SITEURL', siteUrl)
    // WP-Cron would fire a loopback HTTP request on page loads; with network denied it only adds noise.
    instance.defineConstant('DISABLE_WP_CRON', true)
    instance.chdir(WORDPRESS_ROOT)
    requestHandler = new PHPRequestHandler({
      php: instance,
      documentRoot: WORDPRESS_ROOT,
      absoluteUrl: siteUrl,
      cookieStore: false,
      // WordPress's .htaccess behaviour: unknown paths go to index.php (pretty permalinks, /wp-json/).
      rewriteRules: [{ match: /^(\/[_0-9a-zA-Z-]+)?(\/wp-(content|admin|includes)\/.*)/, replacement: '$2' }],
      getFileNotFoundAction: () => ({ type: 'internal-redirect', uri: '/index.php' }),
    })
  }
  for (const [name, value] of Object.entries(init.constants ?? {})) instance.defineConstant(name, value)
  for (const mount of init.mounts ?? []) {
    await instance.mount(
      mount.vfsPath,
      createNodeFsMount(mount.hostPath, { readOnly: mount.readOnly ?? false }),
    )
  }
  return { phpVersion: init.phpVersion, bootMs: performance.now() - started, wordpress }
}

/**
 * A rejected runStream() means php-wasm itself failed (PHP-level failures resolve with an exit
 * code), after which php-wasm has disabled the instance: report and end the thread.
 *
 * @template T
 * @param {() => Promise<T>} body
 * @returns {Promise<T>}
 */
async function guardRuntime(body) {
  try {
    return await body()
  } catch (error) {
    crash(error)
    throw error
  }
}

/**
 * @param {Extract<WorkerRequest, { type: 'run' }>} message
 * @returns {Promise<RunResultMessage>}
 */
async function handleRun(message) {
  const instance = requirePhp()
  const capture = createOutputCapture(message.id, message.maxOutputBytes, 'forward')
  activeCapture = capture
  let exitCode
  try {
    exitCode = await guardRuntime(async () => {
      const response = await instance.runStream({
        code: message.code,
        scriptPath: message.scriptPath,
        env: message.env ? { ...message.env } : undefined,
      })
      const code = await response.exitCode
      await response.finished
      return code
    })
  } finally {
    activeCapture = null
    capture.flush()
  }
  return { exitCode, ...capture.summary(), errors: drainErrorLog() }
}

/**
 * @param {Extract<WorkerRequest, { type: 'request' }>} message
 * @returns {Promise<{ value: RequestResultMessage, transfer: Transferable[] }>}
 */
async function handleRequest(message) {
  requirePhp()
  if (!requestHandler) {
    throw Object.assign(new Error('HTTP requests need a WordPress (or documentRoot) runtime'), {
      code: 'PHP_WORKER_NO_REQUEST_HANDLER',
    })
  }
  const handler = requestHandler
  const capture = createOutputCapture(message.id, message.maxOutputBytes, 'pass')
  activeCapture = capture
  let response
  try {
    response = await guardRuntime(() =>
      handler.request({
        method: /** @type {any} */ (message.method),
        url: message.url,
        headers: { ...message.headers },
        body: message.body,
      }),
    )
  } finally {
    activeCapture = null
  }
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
}

/**
 * @param {WorkerRequest} message
 * @returns {Promise<{ value: unknown, transfer?: Transferable[] }>}
 */
async function dispatch(message) {
  switch (message.type) {
    case 'init':
      return { value: await handleInit(message.init) }
    case 'run':
      return { value: await handleRun(message) }
    case 'request':
      return handleRequest(message)
    case 'readFile': {
      const bytes = requirePhp().readFileAsBuffer(message.path).slice()
      return { value: bytes, transfer: [bytes.buffer] }
    }
    case 'writeFile': {
      const instance = requirePhp()
      const dir = message.path.replace(/\/[^/]*$/, '')
      if (dir && !instance.isDir(dir)) instance.mkdir(dir)
      instance.writeFile(message.path, message.data)
      return { value: undefined }
    }
    case 'listFiles':
      return { value: requirePhp().listFiles(message.path, { prependPath: false }) }
    case 'mkdir':
      requirePhp().mkdir(message.path)
      return { value: undefined }
    case 'unlink': {
      const instance = requirePhp()
      if (instance.isDir(message.path)) instance.rmdir(message.path, { recursive: message.recursive })
      else instance.unlink(message.path)
      return { value: undefined }
    }
    case 'exportDir': {
      const FS = /** @type {any} */ (requirePhp())[__private__dont__use].FS
      const files = exportVfsTree(FS, message.path, message.maxBytes, { skipMounts: message.skipMounts })
      return { value: files, transfer: files.map((file) => /** @type {ArrayBuffer} */ (file.bytes.buffer)) }
    }
    case 'mount': {
      const unmount = await requirePhp().mount(
        message.vfsPath,
        createNodeFsMount(message.hostPath, { readOnly: message.readOnly }),
      )
      const mountId = nextMountId++
      mounts.set(mountId, unmount)
      return { value: mountId }
    }
    case 'unmount': {
      const unmount = mounts.get(message.mountId)
      if (!unmount)
        throw Object.assign(new Error(`No mount with id ${message.mountId}`), {
          code: 'PHP_WORKER_NO_SUCH_MOUNT',
        })
      mounts.delete(message.mountId)
      await unmount()
      return { value: undefined }
    }
    case 'selfTest':
      if (message.kind === 'uncaught-exception') {
        setImmediate(() => {
          throw new Error('codebox self-test: uncaught exception in the PHP worker')
        })
      } else {
        void Promise.reject(new Error('codebox self-test: unhandled rejection in the PHP worker'))
      }
      return new Promise(() => {})
    default:
      throw new Error(`Unknown message type ${/** @type {{ type: string }} */ (message).type}`)
  }
}

// Messages are handled one at a time: php-wasm runs one request per instance anyway, and ordering
// file operations after a running call is what callers expect.
let queue = Promise.resolve()
port.on('message', (/** @type {WorkerRequest} */ message) => {
  queue = queue.then(async () => {
    try {
      const { value, transfer } = await dispatch(message)
      post({ type: 'result', id: message.id, ok: true, value }, transfer)
    } catch (error) {
      if (!crashed) post({ type: 'result', id: message.id, ok: false, error: serializeError(error) })
    }
  })
})
