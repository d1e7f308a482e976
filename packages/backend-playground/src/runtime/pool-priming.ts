import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DATABASE_PATH, DOCUMENT_ROOT } from '../commands/php-snippets.js'
import { installHeadless, installMuPlugins } from '../headless/headless-install.js'
import { installMailCapture } from '../mail/mail-capture.js'
import type { ResolvedPlaygroundOptions } from '../playground-options.js'
import { applySiteSnapshot } from '../snapshot/site-snapshot.js'
import type { DecodedSnapshot } from '../snapshot/snapshot-file.js'
import type { PhpWorker } from '../worker/php-worker-client.js'
import { peakMemoryProbe } from './peak-memory-probe.js'

/**
 * The site state a runtime starts from, put into a PHP worker: by the pool ahead of time (so a pooled worker is
 * handed out ready, and its warm-up requests run on the very site the runtime gets), or by the create itself when
 * no pooled worker was ready.
 */
export interface PoolPriming {
  /**
   * Part of the pool key beside the worker's boot options: the snapshot's digest for a fork, so each snapshot has
   * its own pool (pool-per-snapshot); `fresh` for a runtime started from its template.
   */
  readonly key: string
  /** Whether the state comes from a snapshot (a fork) rather than the template the worker booted. */
  readonly fromSnapshot: boolean
  /** Puts the site state in place: the snapshot's files, or the template's database (after warm-up requests). */
  restore(worker: PhpWorker, signal?: AbortSignal): Promise<void>
  /** Installs what the runtime adds to every site (see {@link SiteAdditions}). */
  install(worker: PhpWorker, signal?: AbortSignal): Promise<void>
}

/**
 * What a runtime adds to every site it starts, as must-use plugins: the peak-memory probe, the headless policy pack
 * and GraphQL guardrails, the mail capture and the embedding program's own must-use plugins. Installed at create (or
 * by the pool ahead of time) and again after a lost worker is recovered.
 */
export interface SiteAdditions {
  /** Tells apart runtimes whose additions differ, so they never share a pooled worker. */
  readonly key: string
  install(worker: PhpWorker, signal?: AbortSignal): Promise<void>
}

/** The {@link SiteAdditions} of a runtime with these options. */
export function siteAdditions(
  options: Pick<ResolvedPlaygroundOptions, 'headless' | 'muPlugins'>,
): SiteAdditions {
  return {
    key: createHash('sha256')
      .update(JSON.stringify({ headless: options.headless, muPlugins: options.muPlugins }))
      .digest('hex'),
    async install(worker, signal) {
      await peakMemoryProbe.install(worker, signal)
      await installHeadless(worker, options.headless, signal)
      await installMailCapture(worker, signal)
      await installMuPlugins(worker, options.muPlugins, signal)
    },
  }
}

/** A template's database bytes, read once per process (templates are immutable once published). */
const templateDatabases = new Map<string, Promise<Uint8Array | undefined>>()

function templateDatabase(siteDir: string): Promise<Uint8Array | undefined> {
  let bytes = templateDatabases.get(siteDir)
  if (!bytes) {
    const file = join(siteDir, ...DATABASE_PATH.split('/'))
    bytes = existsSync(file)
      ? readFile(file).then((data) => new Uint8Array(data))
      : Promise.resolve(undefined)
    templateDatabases.set(siteDir, bytes)
    bytes.catch(() => templateDatabases.delete(siteDir))
  }
  return bytes
}

/** A runtime started from its template `siteDir`: nothing to restore after boot but the database after warm-up. */
export function freshPriming(siteDir: string, additions: SiteAdditions): PoolPriming {
  return {
    key: `fresh:${additions.key}`,
    fromSnapshot: false,
    async restore(worker, signal) {
      const database = await templateDatabase(siteDir)
      if (database)
        await worker.writeFile(`${DOCUMENT_ROOT}/${DATABASE_PATH}`, database, signal ? { signal } : {})
    },
    install: (worker, signal) => additions.install(worker, signal),
  }
}

/**
 * A fork of `bytes` (decoded as `snapshot`): its files and deletions over the template the worker booted; with a
 * durable database (`databaseDirectory`, never pooled) the snapshot's database replaces the one on the host.
 */
export function snapshotPriming(
  bytes: Uint8Array,
  snapshot: DecodedSnapshot,
  additions: SiteAdditions,
  databaseDirectory?: string,
): PoolPriming {
  const digest = createHash('sha256').update(bytes).digest('hex')
  return {
    key: `snapshot:${digest}:${additions.key}`,
    fromSnapshot: true,
    restore: (worker, signal) =>
      applySiteSnapshot(worker, snapshot.files, snapshot.manifest.deleted, signal, databaseDirectory),
    install: (worker, signal) => additions.install(worker, signal),
  }
}
