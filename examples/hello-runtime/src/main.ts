/**
 * The quickstart demo: a real, disposable WordPress sandbox, end to end.
 *
 * create → mount a sample plugin → activate it → run PHP that calls it → an HTTP request to WordPress →
 * collect a signed artifact bundle and verify it → destroy. Each step prints its duration. Runs offline.
 */
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { verifyBundle } from '@codebox/artifacts'
import { playground } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'

const here = dirname(fileURLToPath(import.meta.url))
const pluginDir = join(here, '..', 'sample-plugin', 'hello-codebox')
const artifactsDir = join(here, '..', '.codebox-artifacts')

async function step<T>(label: string, work: () => Promise<T>, describe: (value: T) => string): Promise<T> {
  const started = performance.now()
  const value = await work()
  const ms = Math.round(performance.now() - started)
  console.log(`${`${ms} ms`.padStart(8)}  ${label}: ${describe(value)}`)
  return value
}

function fail(message: string): never {
  console.error(`demo failed: ${message}`)
  process.exit(1)
}

console.log('codebox demo: a real WordPress on SQLite in PHP-WebAssembly, on a worker thread\n')

const runtime = await step(
  'create runtime',
  () =>
    createRuntime({
      backend: playground({ wordpress: '6.5', php: '8.3' }),
      policy: {
        commands: { allow: ['wordpress.*'] },
        filesystem: { mounts: [{ path: pluginDir, modes: ['readonly'] }] },
      },
    }),
  (rt) =>
    `${rt.id} (${rt.provenance.components.find((c) => c.kind === 'wordpress')?.version ?? '?'} on PHP 8.3)`,
)

try {
  await step(
    'mount sample plugin',
    () =>
      runtime.mount({
        source: pluginDir,
        target: '/wordpress/wp-content/plugins/hello-codebox',
        mode: 'readonly',
      }),
    (unmount) => `${unmount.mount.source} → ${unmount.mount.target} (readonly)`,
  )

  await step(
    'activate plugin',
    () => runtime.execute({ command: 'wordpress.plugin-activate', args: { plugin: 'hello-codebox' } }),
    (result) => (result.status === 'ok' ? `active: ${JSON.stringify(result.value)}` : fail(result.message)),
  )

  await step(
    'run PHP',
    () =>
      runtime.execute({
        command: 'wordpress.run-php',
        args: { code: "<?php echo hello_codebox_greeting('codebox');" },
      }),
    (result) => (result.status === 'ok' ? result.stdout : fail(result.message)),
  )

  await step(
    'HTTP request',
    () =>
      runtime.execute({
        command: 'wordpress.http-request',
        args: { path: '/wp-json/hello-codebox/v1/greeting', query: { name: 'demo' } },
      }),
    (result) =>
      result.status === 'ok' && result.value.status === 200
        ? `GET /wp-json/hello-codebox/v1/greeting → ${result.value.status} ${result.value.body}`
        : fail(`unexpected response: ${JSON.stringify(result)}`),
  )

  await mkdir(artifactsDir, { recursive: true })
  const bundle = await step(
    'collect bundle',
    () => runtime.collect({ directory: artifactsDir }),
    (written) => `${written.path} (${written.files} files)`,
  )

  await step(
    'verify bundle',
    () => verifyBundle(bundle.path),
    (report) => (report.ok ? `ok (${report.assurance})` : fail(JSON.stringify(report.problems))),
  )
} finally {
  await step(
    'destroy runtime',
    () => runtime.destroy(),
    () => runtime.state,
  )
}
