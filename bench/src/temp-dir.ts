import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { cleanupOnExit } from './cleanup-on-exit.js'

/** A temporary directory removed by `dispose()`, or at exit if the run stops first. */
export interface TempDir extends AsyncDisposable {
  readonly path: string
  dispose(): Promise<void>
}

/** Creates `<os tmpdir>/<prefix>XXXXXX`. */
export async function createTempDir(prefix: string): Promise<TempDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  const undo = cleanupOnExit(() => rmSync(dir, { recursive: true, force: true }))
  const dispose = async () => {
    undo()
    await rm(dir, { recursive: true, force: true })
  }
  return { path: dir, dispose, [Symbol.asyncDispose]: dispose }
}
