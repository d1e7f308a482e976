/**
 * The PHP runtime by digest: `codebox runtime manifest` names the `.wasm` module and every extension `.so`, a runtime's
 * provenance (and so its bundle) records the same digests, and the loaded extensions.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BundleManifest } from '@codebox/artifacts'
import type { PhpRuntimeManifest } from '@codebox/backend-playground'
import { playground } from '@codebox/backend-playground'
import { type CliResultDocument, runCli } from '@codebox/cli'
import { createRuntime } from '@codebox/runtime-core'
import { afterAll, beforeAll, expect, it } from 'vitest'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'codebox-runtime-manifest-'))
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

async function manifestFromCli(php: string): Promise<PhpRuntimeManifest> {
  let stdout = ''
  const sink = {
    write: (chunk: string) => {
      stdout += chunk
      return true
    },
  } as unknown as NodeJS.WritableStream
  const code = await runCli(['runtime', 'manifest', '--php', php, '--json'], { stdout: sink, stderr: sink })
  expect(code).toBe(0)
  return (JSON.parse(stdout) as CliResultDocument).result as PhpRuntimeManifest
}

const sha256Of = async (file: string) =>
  `sha256:${createHash('sha256')
    .update(await readFile(file))
    .digest('hex')}`

it('codebox runtime manifest names the module and each extension by its real digest', async () => {
  const manifest = await manifestFromCli('8.3')
  expect(manifest).toMatchObject({ schema: 'codebox/php-runtime-manifest/v1', php: { version: '8.3' } })
  expect(manifest.module.sha256).toBe(await sha256Of(manifest.module.path))
  const intl = manifest.extensions.find((extension) => extension.name === 'intl')
  expect(intl).toMatchObject({ enabled: false })
  expect(intl?.sha256).toBe(await sha256Of(intl?.path ?? ''))
  expect(manifest.loadedExtensions).toEqual(expect.arrayContaining(['Core', 'sqlite3', 'mbstring']))
}, 120_000)

it('records the same module and extension digests in a runtime’s provenance and its bundle', async () => {
  const expected = await manifestFromCli('8.3')
  await using runtime = await createRuntime({
    backend: playground({ php: '8.3' }),
    policy: { commands: { allow: ['wordpress.*'] } },
    cleanupOnExit: false,
  })
  const bundle = await runtime.collect({ directory: work })
  const written = JSON.parse(await readFile(join(bundle.path, 'manifest.json'), 'utf8')) as BundleManifest
  for (const components of [runtime.provenance.components, written.provenance.components]) {
    expect(components).toContainEqual(
      expect.objectContaining({
        kind: 'php',
        name: 'php-wasm-module',
        sha256: expected.module.sha256,
        extensions: expected.loadedExtensions,
      }),
    )
    for (const extension of expected.extensions) {
      expect(components).toContainEqual(
        expect.objectContaining({
          name: `php-extension:${extension.name}`,
          sha256: extension.sha256,
          enabled: false,
        }),
      )
    }
  }
}, 180_000)
