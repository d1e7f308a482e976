// Measures worker_threads vs child_process.fork, and the two WordPress layouts, for the PHP worker.
// Usage: npx tsx --expose-gc scripts/measure-isolation.ts <siteDir> [runtimesPerCase=4]
// Env: KINDS=worker,fork (default both), REST_ITERATIONS=10
// <siteDir>: a prepared template (prepareWordPressTemplate().siteDir), e.g. /tmp/codebox-test-cache/sites/site-…
import { type ChildProcess, fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { phpWorkerEntry } from '../src/worker/php-worker-entry.js'
import type {
  WordPressLayout,
  WorkerCall,
  WorkerMessage,
  WorkerReplies,
  WorkerRequest,
} from '../src/worker/php-worker-protocol.js'

type Kind = 'worker' | 'fork'

interface Connection {
  readonly child: Worker | ChildProcess
  call<T extends WorkerRequest['type']>(
    message: WorkerCall<T> & { readonly type: T },
  ): Promise<WorkerReplies[T]>
  stop(): Promise<unknown> | boolean
}

const siteDir = process.argv[2]
const perCase = Number(process.argv[3] ?? 4)
if (!siteDir)
  throw new Error('usage: npx tsx --expose-gc scripts/measure-isolation.ts <siteDir> [runtimesPerCase]')
const entry = await phpWorkerEntry()

function connect(kind: Kind): Connection {
  const child =
    kind === 'worker'
      ? new Worker(entry.url, {
          stdout: true,
          stderr: true,
          ...(entry.execArgv ? { execArgv: entry.execArgv } : {}),
        })
      : fork(fileURLToPath(entry.url), [], {
          serialization: 'advanced',
          stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
          ...(entry.execArgv ? { execArgv: entry.execArgv } : {}),
        })
  if (child instanceof Worker) {
    child.stdout.resume()
    child.stderr.resume()
  }
  let nextId = 1
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  child.on('message', (message: WorkerMessage) => {
    if (message.type !== 'result') return
    const call = pending.get(message.id)
    pending.delete(message.id)
    if (message.ok) call?.resolve(message.value)
    else call?.reject(new Error(message.error.message))
  })
  const call: Connection['call'] = (message) =>
    new Promise((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve: (value) => resolve(value as never), reject })
      if (child instanceof Worker) child.postMessage({ ...message, id })
      else child.send({ ...message, id })
    })
  return {
    child,
    call,
    stop: () => (child instanceof Worker ? child.terminate() : child.kill('SIGKILL')),
  }
}

const rssOfPid = (pid: number | undefined): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1)
const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const gc = (globalThis as { gc?: () => void }).gc

async function measure(kind: Kind, layout: WordPressLayout) {
  gc?.()
  const rssBefore = process.memoryUsage().rss
  const runtimes: Connection[] = []
  const startMs: number[] = []
  const bootMs: number[] = []
  const firstWpMs: number[] = []
  for (let i = 0; i < perCase; i++) {
    const t0 = performance.now()
    const rt = connect(kind)
    const init = await rt.call({
      type: 'init',
      init: {
        phpVersion: '8.3',
        processId: 1000 + runtimes.length,
        network: 'deny',
        phpIni: {},
        wordpress: { siteDir: siteDir as string, layout },
      },
    })
    await rt.call({ type: 'run', code: '<?php echo 1;', maxOutputBytes: 1024 })
    startMs.push(performance.now() - t0)
    bootMs.push(init.bootMs)
    const t1 = performance.now()
    await rt.call({
      type: 'run',
      code: "<?php require '/wordpress/wp-load.php'; echo get_bloginfo('version');",
      maxOutputBytes: 1024,
    })
    firstWpMs.push(performance.now() - t1)
    runtimes.push(rt)
  }
  await new Promise((resolve) => setTimeout(resolve, 500))
  gc?.()
  const hostDelta = process.memoryUsage().rss - rssBefore
  const childRss =
    kind === 'fork' ? runtimes.reduce((sum, rt) => sum + rssOfPid((rt.child as ChildProcess).pid), 0) : 0
  const rssPerRuntime = (hostDelta + childRss) / perCase

  const rt = runtimes[0] as Connection
  const echo: number[] = []
  const ping: number[] = []
  const wpRest: number[] = []
  for (let i = 0; i < 200; i++) {
    const t = performance.now()
    await rt.call({ type: 'run', code: '<?php echo 1;', maxOutputBytes: 1024 })
    echo.push(performance.now() - t)
  }
  for (let i = 0; i < 200; i++) {
    const t = performance.now()
    await rt.call({ type: 'listFiles', path: '/internal', recursive: false })
    ping.push(performance.now() - t)
  }
  for (let i = 0; i < Number(process.env.REST_ITERATIONS ?? 10); i++) {
    const t = performance.now()
    await rt.call({
      type: 'request',
      method: 'GET',
      url: '/wp-json/wp/v2/posts',
      headers: {},
      maxOutputBytes: 1 << 20,
    })
    wpRest.push(performance.now() - t)
  }
  await Promise.all(runtimes.map((r) => r.stop()))
  return {
    kind,
    layout,
    startToFirstRunMs: median(startMs).toFixed(0),
    phpAndSiteBootMs: median(bootMs).toFixed(0),
    firstWpLoadMs: median(firstWpMs).toFixed(0),
    rssPerIdleRuntimeMb: mb(rssPerRuntime),
    echo1RoundTripMs: median(echo).toFixed(2),
    fsPingRoundTripMs: median(ping).toFixed(2),
    restPostsMs: median(wpRest).toFixed(0),
  }
}

const results = []
for (const kind of (process.env.KINDS ?? 'worker,fork').split(',') as Kind[]) {
  for (const layout of ['memfs-copy', 'nodefs-core'] as const) {
    results.push(await measure(kind, layout))
  }
}
console.table(results)
