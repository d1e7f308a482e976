import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

it('runs the README quickstart demo end to end against the real runtime', async () => {
  const tsx = join(root, 'node_modules', '.bin', 'tsx')
  const { stdout } = await promisify(execFile)(tsx, ['--conditions=source', 'src/main.ts'], {
    cwd: root,
    timeout: 120_000,
  })
  expect(stdout).toMatch(/create runtime: rt_[\w-]+ \(6\.5\.\d+ on PHP 8\.3\)/)
  expect(stdout).toMatch(/activate plugin: active: \{"file":"hello-codebox\/hello-codebox\.php"\}/)
  expect(stdout).toMatch(/run PHP: Hello, codebox, from WordPress 6\.5\.\d+ on PHP 8\.3\.\d+!/)
  expect(stdout).toMatch(
    /HTTP request: GET \/wp-json\/hello-codebox\/v1\/greeting → 200 \{"greeting":"Hello, demo/,
  )
  expect(stdout).toMatch(/verify bundle: ok/)
  expect(stdout).toMatch(/destroy runtime: destroyed/)
}, 150_000)
