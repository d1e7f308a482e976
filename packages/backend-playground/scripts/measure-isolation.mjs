// Measures worker_threads vs child_process.fork, and the two WordPress layouts, for the PHP worker.
// Usage: node --expose-gc scripts/measure-isolation.mjs <siteDir> [runtimesPerCase=4]
// Env: KINDS=worker,fork (default both), REST_ITERATIONS=10
// <siteDir>: a prepared template (prepareWordPressTemplate().siteDir), e.g. /tmp/codebox-test-cache/sites/site-…
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Worker } from 'node:worker_threads'

const workerPath = new URL('../src/worker/php-worker.mjs', import.meta.url)
const siteDir = process.argv[2]
const perCase = Number(process.argv[3] ?? 4)
if (!siteDir) throw new Error('usage: node scripts/measure-isolation.mjs <siteDir> [runtimesPerCase]')

function connect(kind) {
  const child =
    kind === 'worker'
      ? new Worker(workerPath, { stdout: true, stderr: true })
      : fork(workerPath, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'ignore', 'ipc'] })
  if (kind === 'worker') {
    child.stdout.resume()
    child.stderr.resume()
  }
  let nextId = 1
  const pending = new Map()
  child.on('message', (message) => {
    if (message.type !== 'result') return
    const p = pending.get(message.id)
    pending.delete(message.id)
    if (message.ok) p.resolve(message.value)
    else p.reject(new Error(message.error.message))
  })
  const call = (message) =>
    new Promise((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve, reject })
      if (kind === 'worker') child.postMessage({ ...message, id })
      else child.send({ ...message, id })
    })
  const stop = () => (kind === 'worker' ? child.terminate() : child.kill('SIGKILL'))
  return { child, call, stop }
}

const rssOfPid = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function measure(kind, layout) {
  globalThis.gc?.()
  const rssBefore = process.memoryUsage().rss
  const runtimes = []
  const startMs = []
  const bootMs = []
  const firstWpMs = []
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
        wordpress: { siteDir, layout },
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
  globalThis.gc?.()
  const hostDelta = process.memoryUsage().rss - rssBefore
  const childRss = kind === 'fork' ? runtimes.reduce((sum, rt) => sum + rssOfPid(rt.child.pid), 0) : 0
  const rssPerRuntime = (hostDelta + childRss) / perCase

  const rt = runtimes[0]
  const echo = []
  const ping = []
  const wpRest = []
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
for (const kind of (process.env.KINDS ?? 'worker,fork').split(',')) {
  for (const layout of ['memfs-copy', 'nodefs-core']) {
    results.push(await measure(kind, layout))
  }
}
console.table(results)
