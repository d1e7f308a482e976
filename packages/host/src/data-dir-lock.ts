import { mkdir, open, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { HostError } from './host-error.js'

/** The lock file of a data directory. */
export const LOCK_FILE = '.codebox-host.lock'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the data directory for this process: one host (or one offline admin command) per data directory, so every
 * tenant database has one writer. The lock is a file holding the owner's pid; a lock left by a process that is gone
 * (a host killed with SIGKILL) is taken over at once, which is why this is a pid file and not a lease that must
 * first expire.
 *
 * @returns the release function (idempotent).
 * @throws {@link HostError} `HOST_DATA_DIR_LOCKED` naming the live owner's pid.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true })
  const file = path.join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600)
      await handle.writeFile(`${process.pid}\n`)
      await handle.close()
      let released = false
      return async () => {
        if (released) return
        released = true
        await rm(file, { force: true })
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const owner = Number.parseInt((await readFile(file, 'utf8').catch(() => '')).trim(), 10)
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
      throw new HostError(
        'HOST_DATA_DIR_LOCKED',
        `The data directory ${dataDir} is in use by process ${owner} (another codebox host or admin command); stop it first, or talk to that host.`,
        { details: { dataDir, pid: owner } },
      )
    }
    // The owner is gone: the lock is stale.
    await rm(file, { force: true })
  }
  throw new HostError('HOST_DATA_DIR_LOCKED', `Could not lock the data directory ${dataDir}; retry.`, {
    details: { dataDir },
  })
}
