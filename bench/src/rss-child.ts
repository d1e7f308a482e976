/**
 * Child process entry of the RSS figure: a clean process that boots one runtime (so shared layers and code are
 * loaded), then K more idle ones, and prints `{"beforeBytes", "afterBytes", "runtimes"}` as its last line.
 * Run by `rss-figures.ts` with `--expose-gc`; arguments: K, then a JSON `playground()` options object.
 */
import { playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { POLICY } from './bench-constants.js'
import type { PlaygroundRuntime } from './codebox-requests.js'
import { settledRss } from './run-child.js'

const runtimes = Number(process.argv[2])
const options = JSON.parse(process.argv[3] ?? '{}') as Parameters<typeof playground>[0]
const backend = playground(options)
const live: PlaygroundRuntime[] = [await createRuntime({ backend, policy: POLICY })]
try {
  const beforeBytes = await settledRss()
  for (let index = 0; index < runtimes; index++) live.push(await createRuntime({ backend, policy: POLICY }))
  const afterBytes = await settledRss()
  console.log(JSON.stringify({ beforeBytes, afterBytes, runtimes }))
} finally {
  await Promise.all(live.map((runtime) => runtime.destroy()))
}
