/**
 * Errors never carry secrets, against the real Playground runtime: a plugin whose activation fails while printing
 * the connector's token makes the backend throw PLUGIN_ACTIVATION_FAILED with PHP's output in its message. What
 * reaches the caller keeps the code but not the token.
 *
 * The plugin reads the token from its own config file rather than the connector constant: the backend activates
 * plugins while building the shared site template, before any runtime's secrets exist as constants. The value is the
 * same one the runtime declares, which is what the redactor matches on.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { playground } from '@codebox/backend-playground'
import { createRuntime, isCodeboxError } from '@codebox/runtime-core'
import { afterAll, beforeAll, expect, it } from 'vitest'

const SECRET = `crm-${randomBytes(12).toString('hex')}`

let work: string
let plugin: string

beforeAll(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'codebox-error-redaction-')))
  plugin = join(work, 'crm-sync')
  await mkdir(plugin)
  await writeFile(join(plugin, 'config.php'), `<?php return array('token' => '${SECRET}');\n`)
  await writeFile(
    join(plugin, 'crm-sync.php'),
    `<?php
/* Plugin Name: CRM sync
 * Version: 1.0.0 */
register_activation_hook(__FILE__, function () {
  $config = require __DIR__ . '/config.php';
  echo 'connecting with ' . $config['token'] . ' / ' . base64_encode($config['token']);
  throw new Exception('CRM rejected token ' . $config['token']);
});
`,
  )
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

it('a plugin activation failure that prints the connector token reaches the caller without it', async () => {
  const error = await createRuntime({
    backend: playground({ plugins: [{ slug: 'crm-sync', version: '1.0.0', source: plugin }] }),
    policy: { commands: { allow: ['wordpress.*'] }, secrets: 'connector-scoped' },
    connectors: [{ name: 'crm', secrets: ['CRM_API_TOKEN'] }],
    env: { CRM_API_TOKEN: SECRET },
  }).then(
    async (runtime) => {
      await runtime.destroy()
      return undefined
    },
    (caught: unknown) => caught,
  )
  expect(isCodeboxError(error) && error.code).toBe('PLUGIN_ACTIVATION_FAILED')
  const e = error as Error & { toJSON(): unknown }
  // PHP's message did make it into the error, with the token replaced.
  expect(e.message).toContain('CRM rejected token [REDACTED:CRM_API_TOKEN]')
  const seen = [
    e.message,
    e.stack,
    JSON.stringify(e),
    JSON.stringify(e.toJSON()),
    inspect(e, { depth: 10 }),
  ].join('\n')
  for (const form of [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('hex')]) {
    expect(seen.includes(form), form).toBe(false)
  }
}, 180_000)
