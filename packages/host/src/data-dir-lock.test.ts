import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { LOCK_FILE, lockDataDir } from './data-dir-lock.js'

describe('lockDataDir', () => {
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('lets one holder in at a time and names the live owner', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'codebox-lock-'))
    const release = await lockDataDir(dir)
    await expect(lockDataDir(dir)).rejects.toMatchObject({
      code: 'HOST_DATA_DIR_LOCKED',
      details: { pid: process.pid },
    })
    await release()
    const again = await lockDataDir(dir)
    await again()
  })

  it('takes over a lock whose owner is gone (a host killed with SIGKILL)', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'codebox-lock-'))
    const gone = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString()
    await writeFile(path.join(dir, LOCK_FILE), `${gone}\n`)
    const release = await lockDataDir(dir)
    expect((await readFile(path.join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid))
    await release()
  })
})
