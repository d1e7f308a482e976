import type { ConnectionOptions } from 'bullmq'
import { Redis, type RedisOptions } from 'ioredis'
import { QueueError } from './queue-error.js'
import { redactUrl } from './redact-url.js'

/**
 * Where Redis is: a `redis://` or `rediss://` (TLS) URL such as `redis://:password@cache.internal:6379/0`, or
 * ioredis options (`{ host, port, password, db, tls }`).
 */
export type RedisConnection = string | RedisOptions

/** A connection resolved to ioredis options, with how to name it in messages (credentials redacted). */
export interface ResolvedRedisConnection {
  readonly options: RedisOptions
  /** The URL with user name and password replaced by `***`. */
  readonly display: string
}

const CHECKS =
  'check that redis-server is running and listening there, that this host can reach it (firewall, network policy), and the password, database and TLS (rediss://) settings'

/** Parses a Redis URL or options into ioredis options. Throws `QUEUE_REDIS_URL_INVALID` naming what is wrong. */
export function resolveRedisConnection(connection: RedisConnection): ResolvedRedisConnection {
  if (typeof connection !== 'string') {
    const host = connection.host ?? '127.0.0.1'
    const port = connection.port ?? 6379
    const scheme = connection.tls ? 'rediss' : 'redis'
    const auth = connection.password || connection.username ? '***:***@' : ''
    return { options: connection, display: `${scheme}://${auth}${host}:${port}/${connection.db ?? 0}` }
  }
  let url: URL
  try {
    url = new URL(connection)
  } catch {
    throw new QueueError(
      'QUEUE_REDIS_URL_INVALID',
      `The Redis URL ${redactUrl(connection)} cannot be parsed; write it as redis://[user:password@]host[:port][/db] (or rediss:// for TLS).`,
    )
  }
  const display = redactUrl(connection)
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new QueueError(
      'QUEUE_REDIS_URL_INVALID',
      `The Redis URL ${display} has scheme "${url.protocol}"; use redis:// or rediss:// (TLS).`,
    )
  }
  const dbText = url.pathname.replace(/^\//, '')
  const db = dbText === '' ? 0 : Number(dbText)
  if (!Number.isInteger(db) || db < 0) {
    throw new QueueError(
      'QUEUE_REDIS_URL_INVALID',
      `The Redis URL ${display} names database "${dbText}"; the path must be a database number such as /0.`,
    )
  }
  const options: RedisOptions = {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port === '' ? 6379 : Number(url.port),
    db,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  }
  return { options, display }
}

/**
 * Connects once without retrying and sends PING, so an unreachable Redis is reported at start with a typed error
 * instead of BullMQ reconnecting silently forever. Throws `QUEUE_REDIS_UNREACHABLE` naming the (redacted) URL, the
 * reason and what to check.
 */
export async function checkRedisReachable(
  connection: ResolvedRedisConnection,
  timeoutMs = 5_000,
): Promise<void> {
  const client = new Redis({
    ...connection.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  })
  // Errors are reported through connect()/ping(); without a listener ioredis would print them unhandled.
  client.on('error', () => {})
  try {
    await client.connect()
    await client.ping()
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new QueueError(
      'QUEUE_REDIS_UNREACHABLE',
      `Cannot reach Redis at ${connection.display} (${redactReason(reason, connection.options)}); ${CHECKS}.`,
      { details: { url: connection.display } },
    )
  } finally {
    client.disconnect()
  }
}

/** A driver message never repeats the password, but be sure: a reason that contains it is cut to its code. */
function redactReason(reason: string, options: RedisOptions): string {
  const password = options.password
  return password && reason.includes(password) ? reason.split(password).join('***') : reason
}

/**
 * The options BullMQ connects with (it makes and closes its own ioredis clients from them); blocking commands must
 * not time out, hence `maxRetriesPerRequest: null`.
 */
export function bullmqConnection(connection: ResolvedRedisConnection): RedisOptions & ConnectionOptions {
  // BullMQ declares its own copy of ioredis' option type, which TypeScript does not see as the same.
  return { ...connection.options, maxRetriesPerRequest: null } as RedisOptions & ConnectionOptions
}
