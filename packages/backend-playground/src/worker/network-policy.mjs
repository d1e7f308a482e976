// @ts-check
/**
 * PHP socket-layer network policy for php-wasm running in Node.
 *
 * php-wasm's Emscripten SOCKFS turns every PHP `connect()` into `new WebSocket(url)` and every
 * `listen()` into `new WebSocketServer(...)`. `@php-wasm/node`'s `withNetworking()` points those at
 * an unauthenticated WebSocket-to-TCP relay listening on a random loopback port (an open proxy for
 * any local process). We never start that relay: instead we hand SOCKFS a `decorator` that replaces
 * the WebSocket class with {@link createPolicySocketClass} (a ws-shaped object that either refuses
 * the connection or opens a direct `net` TCP connection in this thread) and a `serverDecorator`
 * that refuses to listen. No port is ever opened, so there is nothing to connect to from outside.
 */
import { EventEmitter } from 'node:events'
import net from 'node:net'

/**
 * @typedef {import('./php-worker-protocol.js').NetworkPolicy} NetworkPolicy
 * @typedef {(event: { type: 'network.denied' | 'network.allowed' | 'network.listen-denied', host: string, port: number }) => void} NetworkEventSink
 */

const CONNECTING = 0
const OPEN = 1
const CLOSING = 2
const CLOSED = 3

/**
 * Whether `host` matches one of the allow-list entries (`example.com` exact, `*.example.com` any subdomain).
 *
 * @param {readonly string[]} hosts
 * @param {string} host
 * @returns {boolean}
 */
export function isHostAllowed(hosts, host) {
  const name = host.toLowerCase().replace(/\.$/, '')
  return hosts.some((entry) => {
    const pattern = entry.toLowerCase()
    if (pattern.startsWith('*.')) return name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1
    return pattern === name
  })
}

/**
 * Builds the ws-shaped socket class SOCKFS instantiates for each outbound PHP connection.
 *
 * @param {NetworkPolicy} policy
 * @param {NetworkEventSink} onEvent
 */
export function createPolicySocketClass(policy, onEvent) {
  return class PolicySocket extends EventEmitter {
    CONNECTING = CONNECTING
    OPEN = OPEN
    CLOSING = CLOSING
    CLOSED = CLOSED
    /** @type {number} */
    readyState = CONNECTING
    binaryType = 'arraybuffer'
    /** @type {net.Socket | undefined} */
    tcp = undefined

    /** @param {string} url */
    constructor(url) {
      super()
      this.url = url
      const params = new URL(url).searchParams
      const host = params.get('host') ?? ''
      const port = Number(params.get('port'))
      const allowed =
        policy.mode === 'allow-hosts' &&
        host !== '' &&
        Number.isInteger(port) &&
        port > 0 &&
        port < 65536 &&
        isHostAllowed(policy.hosts, host)
      if (!allowed) {
        onEvent({ type: 'network.denied', host, port })
        // Refuse asynchronously: SOCKFS expects connect() to return first and errors to arrive as events.
        setImmediate(() => {
          this.readyState = CLOSED
          this.emit(
            'error',
            Object.assign(new Error(`codebox: outbound network to ${host}:${port} is denied`), {
              code: 'ECONNREFUSED',
            }),
          )
          this.emit('close', 1006, '')
        })
        return
      }
      onEvent({ type: 'network.allowed', host, port })
      // TODO(policy): resolve and re-check the address (DNS rebinding to loopback/private ranges).
      const tcp = net.createConnection({ host, port })
      this.tcp = tcp
      tcp.on('connect', () => {
        this.readyState = OPEN
        this.emit('open')
      })
      tcp.on('data', (data) => this.emit('message', data, true))
      tcp.on('error', (error) => this.emit('error', error))
      tcp.on('close', () => {
        this.readyState = CLOSED
        this.emit('close', 1000, '')
      })
    }

    /**
     * @param {Uint8Array | ArrayBuffer | string} data
     * @param {(error?: Error | null) => void} [callback]
     */
    send(data, callback) {
      if (!this.tcp || this.readyState !== OPEN) {
        callback?.(new Error('socket is not open'))
        return
      }
      const chunk =
        typeof data === 'string' ? Buffer.from(data) : Buffer.from(/** @type {ArrayBuffer} */ (data))
      this.tcp.write(chunk, callback)
    }

    close() {
      if (this.readyState === CLOSED) return
      this.readyState = CLOSING
      if (this.tcp) this.tcp.end()
      else this.readyState = CLOSED
    }

    /**
     * Called by php-wasm for setsockopt(); only keepalive and nodelay mean anything over TCP.
     * @param {number} level
     * @param {number} name
     * @param {number} value
     */
    setSocketOpt(level, name, value) {
      const SOL_SOCKET = 1
      const SO_KEEPALIVE = 9
      const IPPROTO_TCP = 6
      const TCP_NODELAY = 1
      if (level === SOL_SOCKET && name === SO_KEEPALIVE) this.tcp?.setKeepAlive(Boolean(value))
      else if (level === IPPROTO_TCP && name === TCP_NODELAY) this.tcp?.setNoDelay(Boolean(value))
    }

    /** @param {string} event @param {(...args: any[]) => void} listener */
    addEventListener(event, listener) {
      this.on(event, listener)
    }

    /** @param {string} event @param {(...args: any[]) => void} listener */
    removeEventListener(event, listener) {
      this.off(event, listener)
    }
  }
}

/**
 * Builds the ws-server-shaped class SOCKFS instantiates for PHP `listen()`. It never binds a port:
 * inbound connections into the sandbox are not supported.
 *
 * @param {NetworkEventSink} onEvent
 */
export function createDeniedServerClass(onEvent) {
  return class DeniedServer extends EventEmitter {
    clients = new Set()

    /** @param {{ host?: string, port?: number }} [options] */
    constructor(options) {
      super()
      onEvent({ type: 'network.listen-denied', host: options?.host ?? '', port: options?.port ?? 0 })
      setImmediate(() => this.emit('error', new Error('codebox: listening sockets are denied')))
    }

    /** @param {() => void} [callback] */
    close(callback) {
      callback?.()
    }
  }
}

/**
 * Emscripten module options wiring PHP's sockets to the policy. Never starts a relay server.
 *
 * @param {NetworkPolicy} policy
 * @param {NetworkEventSink} onEvent
 */
export function networkEmscriptenOptions(policy, onEvent) {
  const PolicySocket = createPolicySocketClass(policy, onEvent)
  const DeniedServer = createDeniedServerClass(onEvent)
  return {
    websocket: {
      /**
       * @param {unknown} _sock
       * @param {string} host
       * @param {number} port
       */
      url: (_sock, host, port) =>
        `ws://codebox.invalid/?${new URLSearchParams({ host, port: String(port) })}`,
      subprotocol: 'binary',
      decorator: () => PolicySocket,
      serverDecorator: () => DeniedServer,
    },
  }
}
