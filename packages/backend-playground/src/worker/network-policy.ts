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
 *
 * @module
 */
import dns from 'node:dns'
import { EventEmitter } from 'node:events'
import net from 'node:net'
import { canonicalHost, isHostAllowed, isIpLiteral } from '@codebox/policy/network-match'
import type { NetworkDenialReason, NetworkPolicy, WorkerEvent } from './php-worker-protocol.js'

/** Receives the network decisions the socket layer makes. */
export type NetworkEventSink = (event: Extract<WorkerEvent, { readonly host: string }>) => void

const CONNECTING = 0
const OPEN = 1
const CLOSING = 2
const CLOSED = 3

/**
 * Addresses a public host name must not resolve to unless the policy lists the address itself: loopback,
 * private, link-local, carrier-grade NAT, unspecified, multicast and reserved ranges (IPv4 and IPv6).
 */
const INTERNAL_ADDRESSES = new net.BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 3],
] as const) {
  INTERNAL_ADDRESSES.addSubnet(network, prefix, 'ipv4')
}
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  INTERNAL_ADDRESSES.addSubnet(network, prefix, 'ipv6')
}

/**
 * True when `address` (a resolved IPv4 or IPv6 address, no brackets) is in an internal range, or is not an
 * address at all.
 */
export function isInternalAddress(address: string): boolean {
  // IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped?.[1]) return isInternalAddress(mapped[1])
  // Other spellings of mapped or translated IPv4 are not worth decoding: refuse them.
  if (/^::ffff:/i.test(address) || /^64:ff9b:/i.test(address)) return true
  const family = net.isIP(address)
  if (family === 0) return true
  return INTERNAL_ADDRESSES.check(address, family === 6 ? 'ipv6' : 'ipv4')
}

/**
 * The policy decision for the name (or literal) PHP asked for, before any DNS lookup.
 *
 * php-wasm's resolver hands the socket layer the name PHP used (it maps its fake `172.29.x.x` addresses back
 * to names), except `localhost`, which php-wasm pins to `127.0.0.1` before the socket layer sees it. So
 * `127.0.0.1` is also checked as `localhost`: an `allowHosts` entry `localhost:8080` allows PHP's
 * `http://localhost:8080` (and, necessarily, `http://127.0.0.1:8080`).
 */
export function isDestinationAllowed(policy: NetworkPolicy, host: string, port: number): boolean {
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) return false
  if (isHostAllowed(policy, host, port)) return true
  return canonicalHost(host) === '127.0.0.1' && isHostAllowed(policy, 'localhost', port)
}

/**
 * Resolves an allowed host name to the address to connect to, or undefined when it may not be reached.
 *
 * Under `{ allowHosts }` a name is allowed by its name, but the connection goes to an address resolved here,
 * once (the socket connects to that address, so there is no second lookup to rebind): an address in an
 * internal range (loopback, private, link-local, …) is only used if the policy lists that address too (with
 * the port), or if the name is `localhost`/`*.localhost` and the address is loopback. This keeps an allowed
 * public name from being pointed at the host's own services. Under `'allow'` any address is used.
 *
 * @param host - the host as PHP asked for it
 */
export async function resolveAllowedAddress(
  policy: NetworkPolicy,
  host: string,
  port: number,
): Promise<string | undefined> {
  const canonical = canonicalHost(host)
  if (canonical === undefined) return undefined
  if (isIpLiteral(canonical)) return canonical.replace(/^\[|\]$/g, '')
  let addresses: dns.LookupAddress[]
  try {
    addresses = await dns.promises.lookup(canonical, { all: true, verbatim: true })
  } catch {
    return undefined
  }
  if (policy === 'allow') return addresses[0]?.address
  const loopbackName = canonical === 'localhost' || canonical.endsWith('.localhost')
  const usable = addresses.find(
    ({ address }) =>
      !isInternalAddress(address) ||
      isHostAllowed(policy, address, port) ||
      (loopbackName && (address === '::1' || address.startsWith('127.'))),
  )
  return usable?.address
}

/** The ws-shaped socket SOCKFS drives for one outbound PHP connection. */
export interface PolicySocket extends EventEmitter {
  readonly url: string
  readonly readyState: number
  send(data: Uint8Array | ArrayBuffer | string, callback?: (error?: Error | null) => void): void
  close(): void
  setSocketOpt(level: number, name: number, value: number): void
  addEventListener(event: string, listener: (...args: unknown[]) => void): void
  removeEventListener(event: string, listener: (...args: unknown[]) => void): void
}

/** The ws-server-shaped object SOCKFS creates for a PHP `listen()`; it never binds. */
export interface DeniedServer extends EventEmitter {
  readonly clients: ReadonlySet<never>
  close(callback?: () => void): void
}

/** Emscripten's `websocket` module options, as {@link networkEmscriptenOptions} fills them. */
export interface NetworkEmscriptenOptions {
  readonly websocket: {
    readonly url: (sock: unknown, host: string, port: number) => string
    readonly subprotocol: 'binary'
    readonly decorator: () => new (url: string) => PolicySocket
    readonly serverDecorator: () => new (options?: { host?: string; port?: number }) => DeniedServer
  }
}

/** Builds the ws-shaped socket class SOCKFS instantiates for each outbound PHP connection. */
export function createPolicySocketClass(
  policy: NetworkPolicy,
  onEvent: NetworkEventSink,
): new (
  url: string,
) => PolicySocket {
  return class PolicySocket extends EventEmitter {
    readonly CONNECTING = CONNECTING
    readonly OPEN = OPEN
    readonly CLOSING = CLOSING
    readonly CLOSED = CLOSED
    readyState: number = CONNECTING
    binaryType = 'arraybuffer'
    tcp: net.Socket | undefined = undefined
    readonly url: string

    constructor(url: string) {
      super()
      this.url = url
      const params = new URL(url).searchParams
      const host = params.get('host') ?? ''
      const port = Number(params.get('port'))
      if (!isDestinationAllowed(policy, host, port)) {
        this.#refuse(host, port, 'policy')
        return
      }
      void resolveAllowedAddress(policy, host, port).then(
        (address) => this.#connect(host, port, address),
        () => this.#connect(host, port, undefined),
      )
    }

    #refuse(host: string, port: number, reason: NetworkDenialReason): void {
      onEvent({ type: 'network.denied', host, port, reason })
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
    }

    #connect(host: string, port: number, address: string | undefined): void {
      if (this.readyState !== CONNECTING) return
      if (address === undefined) {
        this.#refuse(host, port, 'resolved-address-not-allowed')
        return
      }
      onEvent({ type: 'network.allowed', host, port })
      const tcp = net.createConnection({ host: address, port })
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

    send(data: Uint8Array | ArrayBuffer | string, callback?: (error?: Error | null) => void): void {
      if (!this.tcp || this.readyState !== OPEN) {
        callback?.(new Error('socket is not open'))
        return
      }
      const chunk = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data as ArrayBuffer)
      this.tcp.write(chunk, callback)
    }

    close(): void {
      if (this.readyState === CLOSED) return
      this.readyState = CLOSING
      if (this.tcp) this.tcp.end()
      else this.readyState = CLOSED
    }

    /** Called by php-wasm for setsockopt(); only keepalive and nodelay mean anything over TCP. */
    setSocketOpt(level: number, name: number, value: number): void {
      const SOL_SOCKET = 1
      const SO_KEEPALIVE = 9
      const IPPROTO_TCP = 6
      const TCP_NODELAY = 1
      if (level === SOL_SOCKET && name === SO_KEEPALIVE) this.tcp?.setKeepAlive(Boolean(value))
      else if (level === IPPROTO_TCP && name === TCP_NODELAY) this.tcp?.setNoDelay(Boolean(value))
    }

    addEventListener(event: string, listener: (...args: unknown[]) => void): void {
      this.on(event, listener)
    }

    removeEventListener(event: string, listener: (...args: unknown[]) => void): void {
      this.off(event, listener)
    }
  }
}

/**
 * Builds the ws-server-shaped class SOCKFS instantiates for PHP `listen()`. It never binds a port:
 * inbound connections into the sandbox are not supported.
 */
export function createDeniedServerClass(
  onEvent: NetworkEventSink,
): new (options?: {
  host?: string
  port?: number
}) => DeniedServer {
  return class DeniedServer extends EventEmitter {
    readonly clients = new Set<never>()

    constructor(options?: { host?: string; port?: number }) {
      super()
      onEvent({ type: 'network.listen-denied', host: options?.host ?? '', port: options?.port ?? 0 })
      setImmediate(() => this.emit('error', new Error('codebox: listening sockets are denied')))
    }

    close(callback?: () => void): void {
      callback?.()
    }
  }
}

/** Emscripten module options wiring PHP's sockets to the policy. Never starts a relay server. */
export function networkEmscriptenOptions(
  policy: NetworkPolicy,
  onEvent: NetworkEventSink,
): NetworkEmscriptenOptions {
  const PolicySocket = createPolicySocketClass(policy, onEvent)
  const DeniedServer = createDeniedServerClass(onEvent)
  return {
    websocket: {
      url: (_sock: unknown, host: string, port: number) =>
        `ws://codebox.invalid/?${new URLSearchParams({ host, port: String(port) })}`,
      subprotocol: 'binary',
      decorator: () => PolicySocket,
      serverDecorator: () => DeniedServer,
    },
  }
}
