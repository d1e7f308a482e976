import os from 'node:os'
import { playground } from '@codebox/backend-playground'
import { createRuntime, fanOut } from '@codebox/runtime-core'
import { POLICY } from './bench-constants.js'
import type { BenchContext } from './bench-context.js'
import type { PlaygroundRuntime } from './codebox-requests.js'

/** What every variant does: write an option of its own and read it back through WordPress. */
async function probe(runtime: PlaygroundRuntime, name: string): Promise<void> {
  await runtime.execute({
    command: 'wordpress.option-set',
    args: { name: 'bench_variant', value: name },
    throwOnFailure: true,
    timeoutMs: 600_000,
  })
  const read = await runtime.execute({
    command: 'wordpress.run-php',
    args: { code: "<?php echo get_option('bench_variant');" },
    throwOnFailure: true,
    timeoutMs: 600_000,
  })
  if (read.stdout !== name) throw new Error(`variant ${name} read back ${JSON.stringify(read.stdout)}`)
}

/**
 * Fan-out of N variants from one snapshot (`fanOut`, concurrency = the machine's cores) against the same N runs one
 * after another (fork, probe, destroy), on the same backend without a warm pool.
 */
export async function measureFanOutFigures({ config, results }: BenchContext): Promise<void> {
  const backend = playground()
  const count = config.fanOutVariants
  const names = Array.from({ length: count }, (_, index) => `variant-${index}`)
  let snapshot: Awaited<ReturnType<PlaygroundRuntime['snapshot']>>
  {
    await using base = await createRuntime({ backend, policy: POLICY })
    snapshot = await base.snapshot()
  }
  // Untimed: the first fork pays one-time costs (the snapshot's layers, the first WordPress load) that would
  // otherwise land on whichever of the two runs goes first.
  {
    await using warmUp = await createRuntime({ backend, policy: POLICY, from: snapshot })
    await probe(warmUp, 'warm-up')
  }

  const concurrency = Math.min(os.availableParallelism(), count)
  let started = performance.now()
  const run = fanOut({
    backend,
    from: snapshot,
    policy: POLICY,
    concurrency,
    variants: names.map((name) => ({ name })),
    run: (runtime, { variant }) => probe(runtime, variant),
  })
  const settled = await run.results
  const parallelMs = performance.now() - started
  const failed = settled.filter((result) => result.status === 'rejected')
  if (failed.length > 0 && failed[0]?.status === 'rejected') throw failed[0].error

  started = performance.now()
  for (const name of names) {
    await using runtime = await createRuntime({ backend, policy: POLICY, from: snapshot })
    await probe(runtime, name)
  }
  const sequentialMs = performance.now() - started

  results.value('fan-out', `fan-out of ${count} variants`, parallelMs, 'ms', {
    detail: `fanOut, concurrency ${concurrency}; each variant: fork, option-set, run-php, destroy`,
  })
  results.value('fan-out-sequential', `${count} runs one after another`, sequentialMs, 'ms')
  results.value(
    'fan-out-speedup',
    `fan-out vs sequential (${concurrency} cores)`,
    sequentialMs / parallelMs,
    '×',
  )
}
