/**
 * Deterministic time and entropy for one PHP worker thread, installed before PHP loads.
 *
 * php-wasm reads wall-clock time through `Date.now()` (`clock_gettime(CLOCK_REALTIME)`, so PHP's `time()`,
 * `microtime()`, `date()`, `uniqid()` and MEMFS file times) and entropy through `crypto.getRandomValues()`
 * (`getrandom()`, so `random_bytes()`, `random_int()`, PHP 8.2+'s `mt_rand()`/`rand()` seeding and WordPress's
 * `wp_rand()` / `wp_generate_password()`). Both are globals of this worker thread only, so replacing them here
 * touches no other runtime and nothing in the host.
 *
 * - The clock starts at the given instant and advances one microsecond per read: time is fixed to the instant for
 *   practical purposes, yet strictly increasing, so `uniqid()` (which polls until the microsecond changes) returns.
 * - Entropy is SHA-256 in counter mode over the seed: the same seed gives the same byte stream, read for read.
 *
 * Left real on purpose: `performance.now()` (PHP's `hrtime()`, monotonic). One consequence to know: php-wasm
 * measures a socket's receive timeout (`SO_RCVTIMEO`, a stream timeout) with `Date.now()`, so in a deterministic
 * runtime with network allowed that timeout does not elapse in wall time; the command's own deadline still stops it.
 *
 * @module
 */
import { createHash } from 'node:crypto'

/** What a deterministic worker is started with. */
export interface DeterministicSources {
  /** Milliseconds since the epoch the PHP clock starts at. */
  readonly clockMs: number
  /** The PRNG seed: equal seeds give equal entropy streams. */
  readonly seed: number
}

/** Replaces `Date.now`, `crypto.getRandomValues` and `Math.random` of the current (worker) thread. */
export function installDeterministicSources({ clockMs, seed }: DeterministicSources): void {
  const startUs = Math.round(clockMs * 1000)
  let reads = 0
  Date.now = () => (startUs + reads++) / 1000

  const entropy = seededEntropy(seed)
  const webcrypto = globalThis.crypto
  Object.defineProperty(webcrypto, 'getRandomValues', {
    configurable: true,
    writable: true,
    value: <T extends ArrayBufferView | null>(view: T): T => {
      if (view) entropy(new Uint8Array(view.buffer, view.byteOffset, view.byteLength))
      return view
    },
  })
  const word = new Uint8Array(4)
  Math.random = () => {
    entropy(word)
    return new DataView(word.buffer).getUint32(0) / 2 ** 32
  }
}

/** A byte source: SHA-256(seed ‖ block counter), block after block. */
function seededEntropy(seed: number): (into: Uint8Array) => void {
  let block = 0
  let pool = new Uint8Array(0)
  let offset = 0
  return (into) => {
    for (let written = 0; written < into.length; ) {
      if (offset === pool.length) {
        pool = createHash('sha256').update(`codebox/deterministic/${seed}/${block++}`).digest()
        offset = 0
      }
      const take = Math.min(pool.length - offset, into.length - written)
      into.set(pool.subarray(offset, offset + take), written)
      offset += take
      written += take
    }
  }
}
