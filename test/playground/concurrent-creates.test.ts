/**
 * Concurrent first creates against the real runtime, each on a private empty cache: the WordPress template and the
 * site template are built once for all of them, and one create's abort does not fail the others waiting for the
 * same build.
 */
import { mkdtemp, readdir, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { playground } from '@codebox/backend-playground'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { describe, expect, it } from 'vitest'
// Internal, for a deterministic wait: how many creates wait for the WordPress template build in flight.
import { wordpressTemplateWaiters } from '../../packages/backend-playground/src/site/template-cache.js'
import { progressMessages } from './progress-messages.js'

type PlaygroundRuntime = Runtime<ReturnType<typeof playground>['commands']>

const policy = { commands: { allow: ['wordpress.*'] } } as const

async function emptyCache(): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), 'codebox-stampede-')))
}

async function blogname(runtime: PlaygroundRuntime): Promise<string> {
  const result = await runtime.execute({
    command: 'wordpress.run-php',
    args: { code: "<?php echo get_option('blogname');" },
  })
  expect(result.status, result.stderr).toBe('ok')
  return result.stdout
}

/** Waits (bounded) until `condition` holds. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 240_000
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Whether a directory under `root` is being built: a publish temp dir (`*.tmp-*`) exists. */
async function buildInProgress(root: string): Promise<boolean> {
  for (const dir of ['layers', 'sites']) {
    const names = await readdir(join(root, dir)).catch(() => [] as string[])
    if (names.some((name) => name.includes('.tmp-'))) return true
  }
  return false
}

const count = (messages: readonly string[], prefix: string) =>
  messages.filter((message) => message.startsWith(prefix)).length

describe('concurrent first creates on an empty cache', () => {
  it('build the WordPress template and the site template once for a stampede of eight', async () => {
    const cacheDir = await emptyCache()
    const backend = playground({ cacheDir, download: false })
    const created = await Promise.allSettled(
      Array.from({ length: 8 }, () => createRuntime({ backend, policy, timeoutMs: 600_000 })),
    )
    const runtimes = created.flatMap((entry) => (entry.status === 'fulfilled' ? [entry.value] : []))
    try {
      expect(created.filter((entry) => entry.status === 'rejected')).toEqual([])
      const messages = (await Promise.all(runtimes.map(progressMessages))).flat()
      expect(count(messages, 'built WordPress template')).toBe(1)
      expect(count(messages, 'built site template')).toBe(1)
      // Every other create waited for those builds or found them on disk.
      expect(
        count(messages, 'waited for WordPress template') + count(messages, 'reused WordPress template'),
      ).toBe(7)
      const sites = await readdir(join(cacheDir, 'sites'))
      expect(sites.filter((name) => name.includes('.tmp-'))).toEqual([])
      for (const runtime of runtimes) expect(await blogname(runtime)).not.toBe('')
    } finally {
      await Promise.all(runtimes.map((runtime) => runtime.destroy()))
      await rm(cacheDir, { recursive: true, force: true })
    }
  }, 900_000)

  it('fail only the create whose signal fired; the others waiting for the same build get the template', async () => {
    const cacheDir = await emptyCache()
    const backend = playground({ cacheDir, download: false })
    const abort = new AbortController()
    const first = createRuntime({ backend, policy, signal: abort.signal, timeoutMs: 600_000 })
    first.catch(() => {})
    await until(() => buildInProgress(cacheDir), "the first create's build started")
    const others = Array.from({ length: 2 }, () => createRuntime({ backend, policy, timeoutMs: 600_000 }))
    // The others wait for the first create's build before it is cancelled.
    await until(() => wordpressTemplateWaiters() === 3, 'all three creates wait for the one build')
    abort.abort(new Error('the first create was cancelled'))
    const error = await first.then(
      () => undefined,
      (caught: unknown) => caught as { code?: string },
    )
    expect(error?.code).toBe('OPERATION_ABORTED')
    const settled = await Promise.allSettled(others)
    const runtimes = settled.flatMap((entry) => (entry.status === 'fulfilled' ? [entry.value] : []))
    try {
      expect(settled.filter((entry) => entry.status === 'rejected')).toEqual([])
      for (const runtime of runtimes) {
        const messages = await progressMessages(runtime)
        // They joined the build the cancelled create had started, rather than starting their own.
        expect(messages.some((message) => message.startsWith('waited for WordPress template'))).toBe(true)
        expect(await blogname(runtime)).not.toBe('')
      }
    } finally {
      await Promise.all(runtimes.map((runtime) => runtime.destroy()))
      await rm(cacheDir, { recursive: true, force: true })
    }
  }, 900_000)
})
