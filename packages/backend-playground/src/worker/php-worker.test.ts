import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PhpWorkerTerminatedError } from '../errors.js'
import { prepareWordPressTemplate, type WordPressTemplate } from '../site/prepare-template.js'
import { PhpWorker } from './php-worker-client.js'
import type { WorkerEvent } from './php-worker-protocol.js'

const require = createRequire(import.meta.url)
const buildsDir = path.join(
  path.dirname(require.resolve('@wp-playground/wordpress-builds/package.json')),
  'src',
)
const WP_65_ZIP = path.join(buildsDir, 'wordpress/wp-6.5.zip')
const SQLITE_ZIP = path.join(buildsDir, 'sqlite-database-integration/sqlite-database-integration.zip')
const cacheDir = process.env.CODEBOX_TEST_CACHE_DIR ?? path.join(os.tmpdir(), 'codebox-test-cache')

/** Inodes of TCP sockets in LISTEN state owned by this process (worker threads included). */
function listeningSocketInodesOfThisProcess(): Set<string> {
  const ownSockets = new Set<string>()
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
      if (match?.[1]) ownSockets.add(match[1])
    } catch {
      // fd closed while listing
    }
  }
  const listening = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      const state = cols[3]
      const inode = cols[9]
      if (state === '0A' && inode && ownSockets.has(inode)) listening.add(inode)
    }
  }
  return listening
}

describe('PhpWorker running WordPress 6.5 on PHP 8.3', () => {
  let template: WordPressTemplate
  let wp: PhpWorker
  const events: WorkerEvent[] = []
  let listeningBefore: Set<string>

  beforeAll(async () => {
    template = await prepareWordPressTemplate({ zipPath: WP_65_ZIP, sqliteZipPath: SQLITE_ZIP, cacheDir })
    listeningBefore = listeningSocketInodesOfThisProcess()
    wp = await PhpWorker.start({
      phpVersion: '8.3',
      memoryLimit: '128M',
      wordpress: { siteDir: template.siteDir },
      onEvent: (event) => events.push(event),
    })
  })

  afterAll(async () => {
    await wp?.terminate()
  })

  it('prepares a content-addressed template of an installed site with pretty permalinks', async () => {
    const result = await wp.run({
      code: `<?php require '/wordpress/wp-load.php'; echo get_option('permalink_structure');`,
    })
    expect(result.stdout).toBe('/%postname%/')
    expect(template.wordpressVersion).toBe('6.5.5')
    expect(path.basename(template.coreDir)).toMatch(/^core-[0-9a-f]{64}$/)
    expect(existsSync(path.join(template.siteDir, 'wp-content/database/.ht.sqlite'))).toBe(true)
    expect(existsSync(path.join(template.siteDir, 'wp-content/db.php'))).toBe(true)
  })

  it('runs PHP that loads WordPress and returns its version', async () => {
    const result = await wp.run({
      code: `<?php require '/wordpress/wp-load.php'; echo get_bloginfo('version');`,
    })
    expect(result).toMatchObject({ exitCode: 0, stdout: '6.5.5', truncated: false })
  })

  it('answers a REST request for /wp-json/ with 200 JSON', async () => {
    const response = await wp.request({ url: '/wp-json/' })
    expect(response.status).toBe(200)
    const body = JSON.parse(new TextDecoder().decode(response.body)) as {
      url?: string
      namespaces?: string[]
    }
    expect(body.url).toBe('http://127.0.0.1')
    expect(body.namespaces).toContain('wp/v2')
  })

  it('keeps the host event loop ticking while PHP busy-loops for 2 seconds', async () => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    const result = await wp.run({
      code: '<?php $end = microtime(true) + 2; while (microtime(true) < $end) {} echo "done";',
    })
    clearInterval(timer)
    expect(result.stdout).toBe('done')
    expect(ticks).toBeGreaterThan(50)
  })

  it('makes shell_exec and friends fail fast instead of hanging', async () => {
    const started = performance.now()
    const result = await wp.run(
      {
        code: `<?php
          var_dump(shell_exec('id'));
          exec('id', $out, $code); echo "exec:$code\\n";
          $p = proc_open('id', [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
          echo 'proc_open stderr: ', stream_get_contents($pipes[2]);
          echo 'proc_close:', proc_close($p), "\\n";`,
      },
      { timeoutMs: 10_000 },
    )
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(result.stdout).toContain('NULL')
    expect(result.stdout).toMatch(/exec:[1-9]/)
    expect(result.stdout).toContain('codebox: process execution is disabled in this runtime (id)')
    expect(result.stdout).toContain('proc_close:126')
    expect(events).toContainEqual({ type: 'process.denied', command: 'id' })
  })

  it('does not let PHP reach a loopback server when the network is denied', async () => {
    let hits = 0
    const server = http.createServer((_req, res) => {
      hits++
      res.end('reached')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    try {
      const result = await wp.run(
        {
          code: `<?php
            var_dump(@file_get_contents('http://127.0.0.1:${port}/'));
            $s = @fsockopen('127.0.0.1', ${port}, $errno, $errstr, 2); var_dump($s);`,
        },
        { timeoutMs: 20_000 },
      )
      expect(result.stdout).toContain('bool(false)')
      expect(result.stdout).not.toContain('reached')
      expect(hits).toBe(0)
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'network.denied', host: '127.0.0.1', port }),
      )
    } finally {
      server.close()
    }
  })

  it('opens no listening TCP port in the host process, even when PHP tries to listen', async () => {
    await wp.run({ code: `<?php var_dump(@stream_socket_server('tcp://127.0.0.1:18089', $errno, $errstr));` })
    const after = listeningSocketInodesOfThisProcess()
    expect([...after].filter((inode) => !listeningBefore.has(inode))).toEqual([])
    expect(events).toContainEqual(expect.objectContaining({ type: 'network.listen-denied' }))
  })

  it('reports a PHP fatal error with its file and line', async () => {
    const result = await wp.run({ code: '<?php\n\nundefined_function_codebox();' })
    expect(result.exitCode).toBe(255)
    expect(result.errors).toContainEqual(
      expect.objectContaining({ level: 'fatal', file: '/internal/eval.php', line: 3 }),
    )
    expect(result.errors[0]?.message).toContain('undefined_function_codebox')
  })

  it('serves the WordPress core read-only: PHP cannot modify or chmod it', async () => {
    const hostFile = path.join(template.coreDir, 'wp-includes/version.php')
    const before = await readFile(hostFile)
    const result = await wp.run({
      code: `<?php
        var_dump(@file_put_contents('/wordpress/wp-includes/version.php', 'pwned'));
        var_dump(@file_put_contents('/wordpress/wp-includes/new-file.php', 'x'));
        var_dump(@chmod('/wordpress/wp-includes/version.php', 0777));
        var_dump(@unlink('/wordpress/wp-includes/version.php'));
        var_dump(file_put_contents('/wordpress/wp-content/uploads-test.txt', 'ok'));`,
    })
    expect(result.stdout).toBe('bool(false)\nbool(false)\nbool(false)\nbool(false)\nint(2)\n')
    expect(await readFile(hostFile)).toEqual(before)
    expect(existsSync(path.join(template.coreDir, 'wp-includes/new-file.php'))).toBe(false)
  })

  it('exports only the per-runtime site layer when mounts are skipped', async () => {
    const files = await wp.exportDir('/wordpress', { skipMounts: true })
    const paths = files.map((file) => file.path)
    expect(paths).toContain('wp-content/database/.ht.sqlite')
    expect(paths).toContain('wp-config.php')
    expect(paths.some((p) => p.startsWith('wp-includes/') || p.startsWith('wp-admin/'))).toBe(false)
    expect(paths.some((p) => p.startsWith('wp-content/plugins/sqlite-database-integration/'))).toBe(false)
  })

  it('streams output to the host while PHP is still running', async () => {
    const arrivals: number[] = []
    const started = performance.now()
    const result = await wp.run(
      {
        code: '<?php echo "first\\n"; $end = microtime(true) + 0.6; while (microtime(true) < $end) {} echo "second\\n";',
      },
      { onOutput: () => arrivals.push(performance.now() - started) },
    )
    expect(result.stdout).toBe('first\nsecond\n')
    expect(arrivals[0]).toBeDefined()
    expect(result.durationMs - (arrivals[0] ?? 0)).toBeGreaterThan(400)
  })

  it('reads, writes, lists, exports and removes files in the PHP filesystem', async () => {
    await wp.writeFile('/tmp/codebox-fs/a/b.txt', 'hello')
    await wp.mkdir('/tmp/codebox-fs/empty')
    expect(new TextDecoder().decode(await wp.readFile('/tmp/codebox-fs/a/b.txt'))).toBe('hello')
    expect((await wp.listFiles('/tmp/codebox-fs')).sort()).toEqual(['a', 'empty'])
    const exported = await wp.exportDir('/tmp/codebox-fs')
    expect(exported.map((file) => [file.path, new TextDecoder().decode(file.bytes)])).toEqual([
      ['a/b.txt', 'hello'],
    ])
    await wp.unlink('/tmp/codebox-fs', { recursive: true })
    await expect(wp.readFile('/tmp/codebox-fs/a/b.txt')).rejects.toMatchObject({
      code: 'PHP_WORKER_CALL_FAILED',
    })
  })

  it('mounts a host directory read-write or read-only and unmounts it', async () => {
    const hostDir = await mkdtemp(path.join(os.tmpdir(), 'codebox-mount-'))
    try {
      await writeFile(path.join(hostDir, 'in.txt'), 'from host')
      const unmountRw = await wp.mount({ hostPath: hostDir, vfsPath: '/mnt/rw' })
      const rw = await wp.run({
        code: `<?php echo file_get_contents('/mnt/rw/in.txt'); file_put_contents('/mnt/rw/out.txt', 'from php');`,
      })
      expect(rw.stdout).toBe('from host')
      expect(await readFile(path.join(hostDir, 'out.txt'), 'utf8')).toBe('from php')
      await unmountRw()

      const unmountRo = await wp.mount({ hostPath: hostDir, vfsPath: '/mnt/ro', readOnly: true })
      const ro = await wp.run({
        code: `<?php echo file_get_contents('/mnt/ro/in.txt'); var_dump(@file_put_contents('/mnt/ro/in.txt', 'x'));`,
      })
      expect(ro.stdout).toBe('from hostbool(false)\n')
      expect(await readFile(path.join(hostDir, 'in.txt'), 'utf8')).toBe('from host')
      await unmountRo()
      expect(await wp.listFiles('/mnt')).toEqual([])
    } finally {
      await rm(hostDir, { recursive: true, force: true })
    }
  })

  it('answers a 64 MiB memory bomb under memory_limit=128M with a clean fatal error', async () => {
    const result = await wp.run({
      code: '<?php $a = str_repeat("x", 64 * 1024 * 1024); $b = $a . $a; echo strlen($b);',
    })
    expect(result.exitCode).toBe(255)
    expect(result.errors[0]).toMatchObject({ level: 'fatal', line: 1 })
    expect(result.errors[0]?.message).toContain('Allowed memory size of 134217728 bytes exhausted')
    const after = await wp.run({ code: '<?php echo "still alive";' })
    expect(after.stdout).toBe('still alive')
  })

  it('caps an output flood and reports how much was produced', async () => {
    const result = await wp.run(
      { code: '<?php $chunk = str_repeat("y", 65536); for ($i = 0; $i < 320; $i++) echo $chunk;' },
      { maxOutputBytes: 1024 * 1024 },
    )
    expect(result.truncated).toBe(true)
    expect(result.stdout.length).toBe(1024 * 1024)
    expect(result.stdoutBytes).toBe(320 * 65536)
  })
})

describe('PhpWorker network policy', () => {
  it('lets PHP reach exactly the hosts of an allow-hosts policy, without opening a relay port', async () => {
    let hits = 0
    const server = http.createServer((_req, res) => {
      hits++
      res.end('reached')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const listeningBefore = listeningSocketInodesOfThisProcess()
    const events: WorkerEvent[] = []
    const php = await PhpWorker.start({
      network: { allowHosts: ['127.0.0.1'] },
      onEvent: (event) => events.push(event),
    })
    try {
      const result = await php.run(
        {
          code: `<?php
            echo file_get_contents('http://127.0.0.1:${port}/'), "\n";
            var_dump(@file_get_contents('http://not-allowed.example:${port}/'));`,
        },
        { timeoutMs: 20_000 },
      )
      expect(result.stdout).toBe('reached\nbool(false)\n')
      expect(hits).toBe(1)
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'network.denied', host: 'not-allowed.example', port }),
      )
      const listeningAfter = listeningSocketInodesOfThisProcess()
      // The test's own HTTP server was already listening; nothing new may appear.
      expect([...listeningAfter].filter((inode) => !listeningBefore.has(inode))).toEqual([])
    } finally {
      await php.terminate()
      server.close()
    }
  })
})

describe('PhpWorker termination and crashes', () => {
  it('stops a runaway while(true) within a second of the signal aborting and keeps the host alive', async () => {
    const php = await PhpWorker.start()
    const controller = new AbortController()
    let printed!: () => void
    const started = new Promise<void>((resolve) => {
      printed = resolve
    })
    const run = php.run(
      { code: '<?php echo "started"; while (true) {}' },
      { signal: controller.signal, onOutput: () => printed() },
    )
    // Abort once PHP is inside the loop (it printed first), however long a loaded machine took to get there.
    await started
    const abortedAt = performance.now()
    controller.abort()
    const error = await run.catch((e: unknown) => e)
    expect(performance.now() - abortedAt).toBeLessThan(1_000)
    expect(error).toBeInstanceOf(PhpWorkerTerminatedError)
    expect(error).toMatchObject({
      code: 'PHP_WORKER_TERMINATED',
      reason: 'aborted',
      partialOutput: { stdout: 'started' },
    })
    expect(await php.exited).toMatchObject({ reason: 'aborted' })
    await expect(php.run({ code: '<?php echo 1;' })).rejects.toMatchObject({ reason: 'exited' })
    await php.terminate()
  })

  it('turns a timeoutMs into the same termination', async () => {
    const php = await PhpWorker.start()
    const error = await php
      .run({ code: '<?php while (true) {}' }, { timeoutMs: 200 })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ reason: 'aborted', message: expect.stringContaining('timed out') })
    await php.terminate()
  })

  it.each(['uncaught-exception', 'unhandled-rejection'] as const)(
    'contains a worker-side %s: the call rejects as crashed and the test process survives',
    async (kind) => {
      const exits: string[] = []
      const php = await PhpWorker.start({ onExit: (exit) => exits.push(exit.reason) })
      const error = await php.crashForTesting(kind).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'PHP_WORKER_TERMINATED', reason: 'crashed' })
      expect(await php.exited).toMatchObject({
        reason: 'crashed',
        error: { message: expect.stringContaining(kind.replace('-', ' ')) },
      })
      expect(exits).toEqual(['crashed'])
    },
  )

  it('contains a real wasm trap (usleep inside a usort callback under asyncify) as a crash', async () => {
    const php = await PhpWorker.start()
    const error = await php
      .run({ code: '<?php $a = [3, 1, 2]; usort($a, function ($x, $y) { usleep(10); return $x <=> $y; });' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PHP_WORKER_TERMINATED', reason: 'crashed' })
    expect(await php.exited).toMatchObject({ reason: 'crashed', error: { message: 'unreachable' } })
  })

  it('terminates idempotently, also when raced', async () => {
    const php = await PhpWorker.start()
    await Promise.all([php.terminate(), php.terminate(), php[Symbol.asyncDispose]()])
    expect(await php.exited).toMatchObject({ reason: 'terminated' })
    expect(php.isExited).toBe(true)
  })

  it('rejects start with an aborted signal as terminated, not hanging', async () => {
    const error = await PhpWorker.start({}, { signal: AbortSignal.abort() }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PHP_WORKER_TERMINATED', reason: 'aborted' })
  })
})
