import { readdir, readFile, readlink } from 'node:fs/promises'
import { createServer } from 'node:net'
import { playground } from '@codebox/backend-playground'
import { type CommandResult, createRuntime, type Runtime, type RuntimeEventOf } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const policy = { commands: { allow: ['wordpress.*'] } }
type PlaygroundRuntime = Runtime<ReturnType<typeof playground>['commands']>

function php(
  runtime: PlaygroundRuntime,
  code: string,
  more: { timeoutMs?: number; signal?: AbortSignal } = {},
) {
  return runtime.execute({ command: 'wordpress.run-php', args: { code, bootstrap: 'none' }, ...more })
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await work
  return { value, ms: performance.now() - started }
}

/** TCP ports in LISTEN state on sockets this process owns (its worker threads' included). */
async function listeningPorts(): Promise<Set<number>> {
  const own = new Set<string>()
  for (const fd of await readdir('/proc/self/fd').catch(() => [] as string[])) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '')
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
    if (inode) own.add(inode)
  }
  const ports = new Set<number>()
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols[3] === '0A' && cols[1] && cols[9] && own.has(cols[9])) {
        ports.add(Number.parseInt(cols[1].split(':')[1] ?? '0', 16))
      }
    }
  }
  return ports
}

describe('isolation: PHP runs off the caller thread and can always be stopped', () => {
  let runtime: PlaygroundRuntime
  let bystander: PlaygroundRuntime

  beforeAll(async () => {
    ;[runtime, bystander] = await Promise.all([
      createRuntime({ backend: playground(), policy }),
      createRuntime({ backend: playground(), policy }),
    ])
  }, 120_000)

  afterAll(async () => {
    await Promise.all([runtime?.destroy(), bystander?.destroy()])
  })

  it('keeps the host event loop ticking while a long PHP command runs', async () => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    const { value } = await timed(
      php(runtime, '<?php $end = microtime(true) + 1.5; while (microtime(true) < $end) {} echo "done";'),
    )
    clearInterval(timer)
    expect(value.status).toBe('ok')
    expect(value.stdout).toBe('done')
    // 1.5 s of PHP at a 10 ms interval: a blocked loop would give 0 or 1 ticks.
    expect(ticks).toBeGreaterThan(50)
  }, 30_000)

  const runaways: [string, string][] = [
    ['a busy loop', '<?php while (true) {}'],
    ['a long sleep', '<?php sleep(60);'],
    [
      'a memory bomb',
      '<?php ini_set("memory_limit", "-1"); $a = []; while (true) { $a[] = str_repeat("x", 1 << 20); }',
    ],
    ['an output flood', '<?php while (true) { echo str_repeat("flood ", 10000); }'],
  ]

  for (const [label, code] of runaways) {
    it(`stops ${label} within its timeout plus one second and recovers`, async () => {
      const { value, ms } = await timed(php(runtime, code, { timeoutMs: 1_000 }))
      // The memory bomb may also die of PHP's own limit before the deadline: either way it must not run on.
      expect(['timed-out', 'failed']).toContain(value.status)
      expect(ms).toBeLessThan(1_000 + 1_000)
      const after = await php(runtime, '<?php echo "alive";')
      expect(after.status).toBe('ok')
      expect(after.stdout).toBe('alive')
      expect(runtime.state).toBe('ready')
    }, 30_000)
  }

  it('stops a command when its signal aborts, and the other runtime is unaffected', async () => {
    const controller = new AbortController()
    const running = php(runtime, '<?php while (true) {}', { signal: controller.signal })
    const other = php(
      bystander,
      '<?php $end = microtime(true) + 0.3; while (microtime(true) < $end) {} echo "bystander ok";',
    )
    setTimeout(() => controller.abort(), 200)
    const [stopped, unaffected] = await Promise.all([running, other])
    expect(stopped.status).toBe('aborted')
    expect(unaffected.status).toBe('ok')
    expect(unaffected.stdout).toBe('bystander ok')
  }, 30_000)

  it('keeps the database as of the last completed command after a runaway is stopped', async () => {
    await runtime.execute({
      command: 'wordpress.option-set',
      args: { name: 'codebox_kept', value: 'before-runaway' },
    })
    await php(runtime, '<?php while (true) {}', { timeoutMs: 300 })
    const kept = await runtime.execute({ command: 'wordpress.option-get', args: { name: 'codebox_kept' } })
    expect(kept.status === 'ok' && kept.value).toEqual({ exists: true, value: 'before-runaway' })
  }, 30_000)

  it('survives a wasm trap inside PHP without crashing the host, reporting a diagnostic', async () => {
    const events: RuntimeEventOf<'diagnostic'>[] = []
    const off = runtime.on('diagnostic', (event) => events.push(event))
    // usleep inside a usort callback traps php-wasm's asyncify build ("unreachable").
    const trapped = await php(
      runtime,
      '<?php $a = [3, 1, 2]; usort($a, function ($x, $y) { usleep(1); return $x <=> $y; }); echo "sorted";',
    )
    off()
    expect(trapped.status).toBe('failed')
    expect(events.some((event) => event.code === 'PHP_WORKER_LOST' || /crash/i.test(event.message))).toBe(
      true,
    )
    const after = await php(runtime, '<?php echo "still here";')
    expect(after.stdout).toBe('still here')
  }, 60_000)

  it('fails process execution fast with a clear error instead of hanging', async () => {
    const { value, ms } = await timed(
      php(
        runtime,
        '<?php $out = shell_exec("id"); var_dump($out); echo exec("ls", $o, $code); echo "|code=$code";',
        {
          timeoutMs: 10_000,
        },
      ),
    )
    expect(value.status === 'ok' || value.status === 'failed').toBe(true)
    expect(ms).toBeLessThan(5_000)
    expect(`${value.stdout}${value.stderr}`).toMatch(/process execution is disabled|NULL|bool\(false\)/)
    expect(value.stdout).not.toMatch(/uid=/)
  }, 30_000)

  it('has no outbound network by default and opens no relay port another process could use', async () => {
    const server = createServer((socket) => {
      hits++
      socket.end('HTTP/1.0 200 OK\r\n\r\nreached')
    })
    let hits = 0
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    // Ports are compared from before the runtime exists: Playground's own loader would open its relay at boot.
    const before = await listeningPorts()
    // The scan sees this process's own sockets (else the comparison below could not fail).
    expect(before.has(port)).toBe(true)
    const fresh = await createRuntime({ backend: playground(), policy })
    try {
      const result = (await php(
        fresh,
        `<?php $r = @file_get_contents('http://127.0.0.1:${port}/'); var_dump($r); $s = @fsockopen('127.0.0.1', ${port}, $e, $m, 2); var_dump($s);`,
        { timeoutMs: 10_000 },
      )) as CommandResult
      const after = await listeningPorts()
      expect(hits).toBe(0)
      expect(result.stdout).not.toContain('reached')
      const opened = [...after].filter((p) => !before.has(p) && p !== port)
      expect(opened).toEqual([])
    } finally {
      await fresh.destroy()
      server.close()
    }
  }, 120_000)
})

describe('destroy during recovery', () => {
  it('leaves no PHP worker behind when a runtime is destroyed right after a timed-out command', async () => {
    const { execFile } = await import('node:child_process')
    const { dirname, join } = await import('node:path')
    const { fileURLToPath } = await import('node:url')
    const here = dirname(fileURLToPath(import.meta.url))
    const started = Date.now()
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        join(here, '..', '..', 'node_modules', '.bin', 'tsx'),
        ['--conditions=source', join(here, 'fixtures', 'destroy-after-timeout.ts')],
        { cwd: here, timeout: 90_000 },
        (_error, out) => resolve({ code: child.exitCode, stdout: out }),
      )
    })
    const report = JSON.parse(stdout.trim().split('\n').at(-1) as string)
    expect(report.status).toBe('timed-out')
    expect(code).toBe(0)
    // The process ended by itself soon after destroy(), not when the 90 s kill timer fired.
    expect(Date.now() - started).toBeLessThan(60_000)
  }, 100_000)
})

describe('recovery keeps the runtime its own headless setting', () => {
  it('puts back no policy pack after a crash when the runtime was created with headless: false', async () => {
    // The first runtime on the template records the shared recovery point, with the pack installed.
    const withPack = await createRuntime({ backend: playground(), policy })
    const withoutPack = await createRuntime({ backend: playground({ headless: false }), policy })
    try {
      const packed =
        '<?php echo json_encode(file_exists("/wordpress/wp-content/mu-plugins/codebox-headless.php"));'
      expect((await php(withPack, packed)).stdout).toBe('true')
      expect((await php(withoutPack, packed)).stdout).toBe('false')
      const trapped = await php(
        withoutPack,
        '<?php $a = [3, 1, 2]; usort($a, function ($x, $y) { usleep(1); return $x <=> $y; }); echo "sorted";',
      )
      expect(trapped.status).toBe('failed')
      expect((await php(withoutPack, packed)).stdout).toBe('false')
    } finally {
      await Promise.all([withPack.destroy(), withoutPack.destroy()])
    }
  }, 120_000)
})
