/**
 * Connector secrets against the real Playground runtime. These tests back the `secrets: enforced` label of the
 * enforcement report: secrets reach PHP only as constants of the runtime that declared the connector under
 * `secrets: 'connector-scoped'`, never appear in what the runtime hands back, and `secrets: 'none'` fails closed.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type PlaygroundCommands, playground } from '@codebox/backend-playground'
import { ConnectorCredentialError, ConnectorCredentialFailureSchema } from '@codebox/policy'
import { createRuntime, type Runtime, type RuntimeEvent } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Characters that make the plain, base64, hex and URL-encoded forms all differ.
const SECRET = `sk_live/${randomBytes(12).toString('hex')}+key=value&more`
const SECRET_NAME = 'CRM_API_TOKEN'

/** The raw value and the encodings a leak would most likely take. */
function forms(value: string): Record<string, string> {
  const bytes = Buffer.from(value)
  return {
    raw: value,
    base64: bytes.toString('base64'),
    base64url: bytes.toString('base64url'),
    hex: bytes.toString('hex'),
    url: encodeURIComponent(value),
  }
}

/** Names of the forms of SECRET found in `text`. */
function leaksIn(text: string): string[] {
  return Object.entries(forms(SECRET))
    .filter(([, form]) => text.includes(form))
    .map(([name]) => name)
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await filesUnder(path)))
    else out.push(path)
  }
  return out
}

let root: string
let mountSource: string
let runtime: Runtime<PlaygroundCommands>
let bystander: Runtime<PlaygroundCommands>
const events: RuntimeEvent[] = []
const logged: string[] = []
const results: unknown[] = []

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'codebox-secrets-')))
  mountSource = join(root, 'rw')
  await mkdir(mountSource)
  await writeFile(join(mountSource, 'keep.txt'), 'keep\n')
  const logger = {
    debug: (...args: unknown[]) => logged.push(args.map(String).join(' ')),
    info: (...args: unknown[]) => logged.push(args.map(String).join(' ')),
    warn: (...args: unknown[]) => logged.push(args.map(String).join(' ')),
    error: (...args: unknown[]) => logged.push(args.map(String).join(' ')),
  }
  runtime = await createRuntime({
    backend: playground(),
    policy: {
      commands: { allow: ['wordpress.*'] },
      secrets: 'connector-scoped',
      filesystem: { mounts: [{ path: root, modes: ['readwrite'] }] },
    },
    connectors: [{ name: 'crm', secrets: [SECRET_NAME] }],
    env: { [SECRET_NAME]: SECRET },
    logger,
  })
  runtime.on('*', (event) => events.push(event))
  bystander = await createRuntime({
    backend: playground(),
    policy: { commands: { allow: ['wordpress.*'] }, secrets: 'connector-scoped' },
    env: { [SECRET_NAME]: SECRET },
  })
})

afterAll(async () => {
  await runtime?.destroy()
  await bystander?.destroy()
  await rm(root, { recursive: true, force: true })
})

describe("secrets: 'connector-scoped' with a connector", () => {
  it('PHP sees the secret as a constant of that runtime, and not in getenv()', async () => {
    const result = await runtime.execute({
      command: 'wordpress.run-php',
      args: {
        bootstrap: 'none',
        code: `<?php echo json_encode([
          'defined' => defined('${SECRET_NAME}'),
          'sha256' => hash('sha256', ${SECRET_NAME}),
          'getenv' => getenv('${SECRET_NAME}'),
        ]);`,
      },
    })
    results.push(result)
    expect(result.status).toBe('ok')
    expect(JSON.parse(result.stdout)).toEqual({
      defined: true,
      sha256: createHash('sha256').update(SECRET).digest('hex'),
      getenv: false,
    })
  })

  it('a second runtime without the connector does not see it, even with the value in its env', async () => {
    const result = await bystander.execute({
      command: 'wordpress.run-php',
      args: {
        bootstrap: 'none',
        code: `<?php echo json_encode([defined('${SECRET_NAME}'), getenv('${SECRET_NAME}')]);`,
      },
    })
    expect(result.status).toBe('ok')
    expect(JSON.parse(result.stdout)).toEqual([false, false])
  })

  it('the value never appears in results, events, history, errors, logs or any file of the bundle', async () => {
    // PHP does its best to leak the secret through every channel.
    const leaky = [
      {
        bootstrap: 'none',
        code: `<?php echo ${SECRET_NAME}, "\\n", base64_encode(${SECRET_NAME}), "\\n", bin2hex(${SECRET_NAME}), "\\n", rawurlencode(${SECRET_NAME});`,
      },
      {
        bootstrap: 'none',
        code: `<?php fwrite(STDERR, ${SECRET_NAME}); error_log('leak: ' . ${SECRET_NAME});`,
      },
      { bootstrap: 'none', code: `<?php throw new Exception('fatal with ' . ${SECRET_NAME});` },
      {
        bootstrap: 'none',
        code: `<?php file_put_contents('/wordpress/wp-content/rw/leak.txt', ${SECRET_NAME} . "\\n" . base64_encode(${SECRET_NAME}));`,
      },
    ] as const
    await runtime.mount({ source: mountSource, target: '/wordpress/wp-content/rw', mode: 'readwrite' })
    for (const args of leaky) results.push(await runtime.execute({ command: 'wordpress.run-php', args }))
    results.push(
      await runtime.execute({
        command: 'wordpress.option-set',
        args: { name: 'codebox_leak', value: SECRET },
      }),
    )
    results.push(await runtime.execute({ command: 'wordpress.option-get', args: { name: 'codebox_leak' } }))
    // An error thrown by a command that fails on purpose.
    const thrown = await runtime
      .execute({
        command: 'wordpress.run-php',
        args: { bootstrap: 'none', code: `<?php exit(3); // ${SECRET}` },
        throwOnFailure: true,
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      )
    expect(thrown).toBeInstanceOf(Error)
    const error = thrown as Error & { toJSON?: () => unknown }

    // The secret did reach PHP (so the absence below is redaction, not a failure to run).
    const first = results[1] as { stdout: string }
    expect(first.stdout).toContain('[REDACTED')

    const bundle = await runtime.collect({ directory: join(root, 'bundle') })
    const files = await filesUnder(bundle.path)
    expect(files.length).toBeGreaterThan(5)
    const leaks: string[] = []
    for (const file of files) {
      const text = (await readFile(file)).toString('latin1')
      for (const form of leaksIn(text)) leaks.push(`${file.slice(bundle.path.length)}: ${form}`)
    }
    const channels: Record<string, string> = {
      results: JSON.stringify(results),
      events: JSON.stringify(events),
      history: JSON.stringify(runtime.history),
      error: `${error.message} ${error.stack} ${JSON.stringify(error.toJSON?.() ?? {})}`,
      logs: logged.join('\n'),
      credentials: JSON.stringify(runtime.credentials),
      diagnostics: JSON.stringify(runtime.diagnostics),
    }
    for (const [channel, text] of Object.entries(channels)) {
      for (const form of leaksIn(text)) leaks.push(`${channel}: ${form}`)
    }
    expect(leaks).toEqual([])
    expect(events.length).toBeGreaterThan(10)
  })
})

/** A Playground backend that records whether anything booted. */
function bootSpy() {
  let booted = false
  const backend = playground()
  return {
    backend: {
      ...backend,
      create: (context: Parameters<typeof backend.create>[0]) => {
        booted = true
        return backend.create(context)
      },
    },
    booted: () => booted,
  }
}

describe("secrets: 'none'", () => {
  it('fails closed before boot with a failure document that validates against its schema', async () => {
    const { backend: spy, booted } = bootSpy()
    const error = await createRuntime({
      backend: spy,
      policy: { commands: { allow: ['wordpress.*'] }, secrets: 'none' },
      connectors: [{ name: 'crm', secrets: [SECRET_NAME] }],
      env: { [SECRET_NAME]: SECRET },
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(ConnectorCredentialError)
    const failure = (error as ConnectorCredentialError).document
    expect(ConnectorCredentialFailureSchema.safeParse(failure).success).toBe(true)
    expect(JSON.stringify(failure)).toContain('crm')
    expect(
      leaksIn(JSON.stringify(failure) + JSON.stringify((error as ConnectorCredentialError).toJSON())),
    ).toEqual([])
    expect(booted()).toBe(false)
  })
})

describe('a connector secret missing from the environment', () => {
  it('fails closed before boot, naming the connector and the secret but no value', async () => {
    const { backend: spy, booted } = bootSpy()
    const error = await createRuntime({
      backend: spy,
      policy: { commands: { allow: ['wordpress.*'] }, secrets: 'connector-scoped' },
      connectors: [{ name: 'crm', secrets: [SECRET_NAME, 'CRM_MISSING_TOKEN'] }],
      env: { [SECRET_NAME]: SECRET },
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(ConnectorCredentialError)
    const failure = (error as ConnectorCredentialError).document
    expect(ConnectorCredentialFailureSchema.safeParse(failure).success).toBe(true)
    expect(JSON.stringify(failure)).toContain('CRM_MISSING_TOKEN')
    expect(JSON.stringify(failure)).toContain('missing')
    // The secret that was present is named at most, never shown.
    expect(
      leaksIn(JSON.stringify(failure) + JSON.stringify((error as ConnectorCredentialError).toJSON())),
    ).toEqual([])
    expect(booted()).toBe(false)
  })
})
