/** Per-command PHP peak memory against the real runtime: results, `command.finished` events and the history. */
import { playground } from '@codebox/backend-playground'
import { createRuntime, type RuntimeEventOf } from '@codebox/runtime-core'
import { expect, it } from 'vitest'

const MiB = 1024 * 1024

it('reports each command’s PHP peak memory in its result, its command.finished event and its record', async () => {
  await using runtime = await createRuntime({
    backend: playground(),
    policy: { commands: { allow: ['wordpress.*'] } },
    cleanupOnExit: false,
  })
  const finished: RuntimeEventOf<'command.finished'>[] = []
  runtime.on('command.finished', (event) => finished.push(event))

  const small = await runtime.execute({
    command: 'wordpress.run-php',
    args: { code: '<?php echo "hi";', bootstrap: 'none' },
  })
  const big = await runtime.execute({
    command: 'wordpress.run-php',
    args: { code: '<?php $s = str_repeat("x", 48 * 1024 * 1024); echo strlen($s);', bootstrap: 'none' },
  })
  const page = await runtime.execute({ command: 'wordpress.http-request', args: { path: '/' } })

  expect(small.peakMemoryBytes).toBeGreaterThan(0)
  expect(big.peakMemoryBytes).toBeGreaterThanOrEqual(48 * MiB)
  // The 48 MiB string is freed with its request: the next command measures its own peak.
  expect(page.peakMemoryBytes).toBeGreaterThan(0)
  expect(page.peakMemoryBytes).toBeLessThan(48 * MiB)
  expect(finished.map((event) => event.peakMemoryBytes)).toEqual([
    small.peakMemoryBytes,
    big.peakMemoryBytes,
    page.peakMemoryBytes,
  ])
  expect(runtime.history.map((record) => record.peakMemoryBytes)).toEqual([
    small.peakMemoryBytes,
    big.peakMemoryBytes,
    page.peakMemoryBytes,
  ])
}, 120_000)
