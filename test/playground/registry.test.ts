import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))

/** Temp dirs of readwrite mounts (the Playground backend's private copies). */
async function mountCopies(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('codebox-mount-'))
}

/** Starts the fixture, waits for "ready", then ends it as asked; resolves with how the process ended. */
function runFixture(
  source: string,
  how: 'SIGTERM' | 'SIGINT' | 'exit',
): Promise<{ code: number | null; signal: NodeJS.Signals | null; copiesWhileLive: string[] }> {
  return new Promise((resolve, reject) => {
    // Node itself (not the tsx wrapper, which turns a signal into an exit code) runs the fixture.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=source',
        join(here, 'fixtures', 'live-runtime.ts'),
        source,
        how === 'exit' ? 'exit' : 'signal',
      ],
      { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let copiesWhileLive: string[] = []
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', async (text: string) => {
      if (!text.includes('ready') || how === 'exit') return
      copiesWhileLive = await mountCopies()
      child.kill(how)
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(killer)
      resolve({ code, signal, copiesWhileLive })
    })
  })
}

describe('the registry of live runtimes', () => {
  let source: string
  let before: Set<string>

  beforeAll(async () => {
    source = await mkdtemp(join(tmpdir(), 'codebox-registry-src-'))
    await writeFile(join(source, 'file.txt'), 'hello\n')
  })

  afterAll(async () => {
    await rm(source, { recursive: true, force: true })
  })

  for (const how of ['SIGTERM', 'SIGINT'] as const) {
    it(`destroys live runtimes on ${how}, removes their temp dirs, then lets the signal end the process`, async () => {
      before = new Set(await mountCopies())
      const ended = await runFixture(source, how)
      expect(ended.copiesWhileLive.filter((name) => !before.has(name)).length).toBeGreaterThan(0)
      expect(ended.signal).toBe(how)
      expect((await mountCopies()).filter((name) => !before.has(name))).toEqual([])
    }, 120_000)
  }

  it('removes the temp dirs of live runtimes when the process exits without destroying them', async () => {
    before = new Set(await mountCopies())
    const ended = await runFixture(source, 'exit')
    expect(ended.code).toBe(0)
    expect((await mountCopies()).filter((name) => !before.has(name))).toEqual([])
  }, 120_000)
})
