import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { verifyBundle } from './verify-bundle.js'

const here = dirname(fileURLToPath(import.meta.url))
const script = resolve(here, '../test-fixtures/write-large-bundle.ts')
const repoRoot = resolve(here, '../../..')

function start(directory: string, name: string, format: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, directory, name, format], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res(child.exitCode)
    else child.once('exit', (code) => res(code))
  })

/** Resolves once a temp entry of the bundle appears, i.e. the child is writing to disk. */
async function waitForTemp(directory: string, name: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline && child.exitCode === null) {
    const names = await readdir(directory)
    if (names.some((n) => n.startsWith(`.${name}.tmp-`))) return true
    await new Promise((r) => setTimeout(r, 2))
  }
  return false
}

const TEMP = /^\.run-\d+(\.tar\.gz)?\.tmp-[0-9a-f]{16}$/

test('killing the writer at any point leaves either a complete verifiable bundle or none', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'codebox-kill-'))
  const runs = [
    { format: 'directory', delayMs: 0 },
    { format: 'directory', delayMs: 40 },
    { format: 'directory', delayMs: 150 },
    { format: 'tar.gz', delayMs: 0 },
    { format: 'directory', delayMs: null },
    { format: 'tar.gz', delayMs: null },
  ] as const
  let killedMidWrite = 0
  for (const [i, run] of runs.entries()) {
    const name = `run-${i}`
    const fileName = run.format === 'tar.gz' ? `${name}.tar.gz` : name
    const child = start(directory, name, run.format)
    let stderr = ''
    child.stderr?.on('data', (d) => {
      stderr += String(d)
    })
    if (run.delayMs === null) {
      expect(await exited(child), stderr).toBe(0)
    } else {
      expect(await waitForTemp(directory, fileName, child), stderr).toBe(true)
      await new Promise((r) => setTimeout(r, run.delayMs))
      child.kill('SIGKILL')
      await exited(child)
    }
    const names = await readdir(directory)
    const target = join(directory, fileName)
    if (names.includes(fileName)) {
      const report = await verifyBundle(target)
      expect(report.problems, `${fileName} exists, so it must verify`).toEqual([])
    } else {
      killedMidWrite++
      expect(run.delayMs).not.toBeNull()
    }
    for (const n of names)
      expect(n === fileName || !n.startsWith(name) || TEMP.test(n) || n.startsWith('run-'), n).toBe(true)
    const temps = names.filter((n) => n.startsWith(`.${fileName}.tmp-`))
    if (run.delayMs === null) expect(temps).toEqual([])
  }
  expect(killedMidWrite).toBeGreaterThanOrEqual(2)
}, 120_000)
