/**
 * runtime.stats() against the real Playground backend: a runaway PHP command is stopped at its deadline, the worker
 * supervisor replaces the lost worker (a RUNTIME_RECOVERED diagnostic), and runtime-core counts both.
 */
import { playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { expect, it } from 'vitest'

it('counts a timed-out command and the worker restart that follows it', async () => {
  await using runtime = await createRuntime({
    backend: playground(),
    policy: { commands: { allow: ['wordpress.*'] } },
    cleanupOnExit: false,
  })
  const runaway = await runtime.execute({
    command: 'wordpress.run-php',
    args: { code: '<?php while (true) {}', bootstrap: 'none' },
    timeoutMs: 1_000,
  })
  expect(runaway.status).toBe('timed-out')
  // The next command waits for the recovery, so once it answers the restart has been reported.
  const after = await runtime.execute({
    command: 'wordpress.run-php',
    args: { code: '<?php echo "alive";', bootstrap: 'none' },
  })
  expect(after.stdout).toBe('alive')
  expect(runtime.stats()).toEqual({
    commands: 2,
    failures: 0,
    timeouts: 1,
    aborted: 0,
    denied: 0,
    restarts: 1,
  })
}, 120_000)
