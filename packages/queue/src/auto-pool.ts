import type { Queue } from 'bullmq'
import type { Redis } from 'ioredis'

/** How long an `'auto'` pool decision holds before the workers on this host are counted again. */
export const AUTO_POOL_RECHECK_MS = 10_000

/** What `pool: 'auto'` decided, and from what. */
export interface PoolPlan {
  /** PHP workers booted ahead per site configuration: 1 or 0. */
  readonly size: number
  /** Workers of this queue connected to Redis from this host (this one included). */
  readonly workersOnHost: number
  /** The cores the decision assumed this host has. */
  readonly cores: number
  /** Jobs each worker runs at once (this worker's; the others are assumed alike). */
  readonly concurrency: number
}

/**
 * Whether a warm pool pays on this host: every job that runs needs a core, and so does the pool booting the next
 * PHP worker beside it. Measured on 2 cores (`pnpm bench:queue`): one pooled worker already keeps both busy, and two
 * pooled worker processes drained 40 recipes slower than two without a pool (41.3 s against 36.0 s), because their
 * background boots competed with the jobs.
 */
export function poolFits(plan: Omit<PoolPlan, 'size'>): boolean {
  return 2 * plan.workersOnHost * plan.concurrency <= plan.cores
}

/** The host part of a Redis `CLIENT LIST`/`CLIENT INFO` `addr` (`127.0.0.1:6379`, `::1:50000`, `[::1]:50000`). */
export function addrHost(addr: string | undefined): string | undefined {
  if (!addr) return undefined
  const colon = addr.lastIndexOf(':')
  const host = colon > 0 ? addr.slice(0, colon) : addr
  return host.replace(/^\[|\]$/g, '')
}

/**
 * Counts this queue's workers on this host: BullMQ's worker list (Redis `CLIENT LIST`) filtered to the clients
 * whose address is this process's own as Redis sees it. Containers in their own network namespace count as hosts of
 * their own, which matches the cores they are usually given. Undefined when Redis refuses `CLIENT` commands (some
 * managed services do): then only this worker is known.
 */
export async function countWorkersOnHost(queue: Queue, redis: Redis): Promise<number | undefined> {
  try {
    const info = String(await redis.call('CLIENT', 'INFO'))
    const own = addrHost(/(?:^|\s)addr=(\S+)/.exec(info)?.[1])
    if (own === undefined) return undefined
    const workers = await queue.getWorkers()
    // A worker may hold more than one named connection: count names, not connections.
    const here = new Set(
      workers
        .filter((client) => addrHost(client.addr) === own)
        .map((client) => client.rawname ?? client.name),
    )
    return Math.max(1, here.size)
  } catch {
    return undefined
  }
}
