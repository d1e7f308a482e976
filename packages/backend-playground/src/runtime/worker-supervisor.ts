import type { BackendCreateContext } from '@codebox/runtime-core'
import { DATABASE_PATH, DOCUMENT_ROOT } from '../commands/php-snippets.js'
import { syncDatabaseDirectory } from '../site/durable-database.js'
import { applySiteSnapshot, withoutDatabase } from '../snapshot/site-snapshot.js'
import { decodeSnapshot } from '../snapshot/snapshot-file.js'
import type { PhpWorker } from '../worker/php-worker-client.js'

/** A serial lock: PHP runs one call at a time per runtime, and recovery must finish before the next call. */
class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve()

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work)
    this.#tail = next.catch(() => {})
    return next
  }
}

/** What the supervisor needs from its runtime to replace a lost worker. */
export interface WorkerSupervisorOptions {
  readonly emit: BackendCreateContext['emit']
  readonly fail: BackendCreateContext['fail']
  /** Boots a replacement worker with the runtime's configuration and current mounts. */
  readonly startWorker: () => Promise<PhpWorker>
  /** Puts back what the runtime installs itself at create (after the site state is restored). */
  readonly reinstall: (worker: PhpWorker) => Promise<void>
  /** Records a line of the boot log. */
  readonly bootLog: (line: string) => void
  /**
   * The host directory of a durable database (`playground({ database })`). Its files are the runtime's database
   * state: a recovery keeps them (SQLite rolls back a transaction the lost worker left open), and saving the
   * database means syncing them to disk.
   */
  readonly databaseDirectory?: string | undefined
}

/**
 * Owns a runtime's PHP worker: runs every call on it one at a time, remembers the last consistent site state, and
 * when the worker is lost (a crash, or a command stopped at its deadline) starts a new one and puts that state
 * back, or marks the runtime failed.
 */
export class WorkerSupervisor {
  readonly #options: WorkerSupervisorOptions
  readonly #queue = new SerialQueue()
  #worker: PhpWorker
  #stopped = false
  /** The last consistent site state: a snapshot file, restored after the worker is lost. */
  #recoveryPoint: Uint8Array | undefined
  /** The database as of the last command that finished normally. */
  #lastDatabase: Uint8Array | undefined
  /** Settles when an in-progress recovery has either installed its new worker or stopped it. */
  #recovering: Promise<void> | undefined

  constructor(worker: PhpWorker, options: WorkerSupervisorOptions) {
    this.#options = options
    this.#worker = worker
    this.#watch(worker)
  }

  /** The current worker (a new one after each recovery): read it inside {@link run}, never keep it. */
  get worker(): PhpWorker {
    return this.#worker
  }

  /** Runs `work` after every earlier call and recovery has finished. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return this.#queue.run(work)
  }

  /** Sets the state a recovery puts back (a snapshot file of the site layer). */
  setRecoveryPoint(bytes: Uint8Array): void {
    this.#recoveryPoint = bytes
  }

  /** Forgets the saved database, so a recovery puts back the recovery point's. */
  forgetDatabase(): void {
    this.#lastDatabase = undefined
  }

  /**
   * Saves the database as of now: a recovery puts it back over the recovery point. A durable database is synced to
   * disk instead (it is already where a recovery finds it). Call inside {@link run}.
   */
  async saveDatabase(): Promise<void> {
    if (this.#options.databaseDirectory !== undefined) {
      await syncDatabaseDirectory(this.#options.databaseDirectory)
      return
    }
    try {
      this.#lastDatabase = await this.#worker.readFile(`${DOCUMENT_ROOT}/${DATABASE_PATH}`)
    } catch {
      // A runtime without the database file (should not happen) simply has nothing to save.
    }
  }

  /**
   * Replaces the worker in the background, holding the queue, so the failed call settles at once and the next
   * one runs on the recovered runtime.
   */
  recoverInBackground(): void {
    void this.#queue.run(() => this.#recover())
  }

  /** Stops the worker for good, and waits for a recovery in progress so that no worker outlives the runtime. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    await this.#worker.terminate()
    // A recovery may be booting a replacement worker right now; it sees #stopped and stops it, but wait for it
    // so that no PHP worker outlives destroy() and keeps the process alive.
    await this.#recovering
  }

  /** Stops the worker without waiting (at process exit nothing can be awaited). */
  stopSync(): void {
    this.#stopped = true
    void this.#worker.terminate()
  }

  #watch(worker: PhpWorker): void {
    void worker.exited.then((exit) => this.#onWorkerExit(worker, exit.reason))
  }

  /** The worker ended: either on purpose (terminate/abort, handled by the caller) or by a crash. */
  #onWorkerExit(worker: PhpWorker, reason: string): void {
    if (this.#stopped || worker !== this.#worker) return
    if (reason === 'terminated') return
    this.#options.emit({
      type: 'diagnostic',
      severity: 'error',
      message: `PHP worker ended (${reason}); restoring the runtime to its last consistent state`,
      code: 'PHP_WORKER_LOST',
      phase: 'runtime',
    })
    this.recoverInBackground()
  }

  /** Starts a fresh worker and puts back the last consistent state. Marks the runtime failed if that fails. */
  #recover(): Promise<void> {
    const recovering = this.#recoverNow()
    this.#recovering = recovering
    return recovering
  }

  async #recoverNow(): Promise<void> {
    if (this.#stopped) return
    await this.#worker.terminate()
    try {
      const worker = await this.#options.startWorker()
      if (this.#stopped) {
        // stop() ran while the new worker was booting: it terminated the old one, so this one is ours to stop.
        await worker.terminate()
        return
      }
      this.#worker = worker
      this.#watch(worker)
      if (this.#recoveryPoint) {
        const decoded = await decodeSnapshot(this.#recoveryPoint)
        // A durable database stays as the lost worker left it on disk: the recovery point's copy is older.
        const { files, deleted } =
          this.#options.databaseDirectory === undefined
            ? { files: decoded.files, deleted: decoded.manifest.deleted }
            : withoutDatabase(decoded.files, decoded.manifest.deleted)
        await applySiteSnapshot(worker, files, deleted)
      }
      if (this.#lastDatabase) await worker.writeFile(`${DOCUMENT_ROOT}/${DATABASE_PATH}`, this.#lastDatabase)
      await this.#options.reinstall(worker)
      this.#options.bootLog('recovered: new PHP worker with the last consistent site state')
      this.#options.emit({
        type: 'diagnostic',
        severity: 'warning',
        message:
          'runtime recovered: a new PHP worker was started with the database as of the last completed command and other site files as of the last checkpoint',
        code: 'RUNTIME_RECOVERED',
        phase: 'runtime',
      })
    } catch (error) {
      this.#options.fail(
        `could not recover after the PHP worker was lost: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
  }
}
