import { type ChildProcess, spawn } from 'node:child_process'
import { appendFile, cp, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { playground } from '@codebox/backend-playground'
import { CLI_RESULT_SCHEMA_ID, type CliResultDocument, EXIT_CODES, runCli } from '@codebox/cli'
import { createRuntime, RECIPE_SCHEMA_ID } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CODEBOX_BIN, RECIPES_DIR, wpGraphqlAvailable } from '../recipes/example-recipes.js'

// Every test drives the real `codebox` command: the bin as a child process (exit codes, signals, a process that
// must end by itself) or `runCli` in this process with captured output where no process behaviour is claimed.

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'codebox-cli-'))
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

interface Finished {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly durationMs: number
  /** True when the test had to kill it: the process did not end by itself. */
  readonly killed: boolean
}

interface Started {
  readonly child: ChildProcess
  /** Resolves with the first `--json` document printed on stdout. */
  readonly document: Promise<CliResultDocument>
  /** Resolves once stderr matches `pattern`. */
  stderrMatches(pattern: RegExp): Promise<void>
  readonly finished: Promise<Finished>
}

/** Starts the bin; a process still alive after `killAfterMs` is killed and reported as `killed`. */
function start(
  args: readonly string[],
  options: { env?: Record<string, string>; killAfterMs?: number; processGroup?: boolean } = {},
): Started {
  const started = performance.now()
  const child = spawn(process.execPath, [CODEBOX_BIN, ...args], {
    cwd: work,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a signal can reach every process of the command at once, as a terminal's does.
    detached: options.processGroup === true,
  })
  let stdout = ''
  let stderr = ''
  let killed = false
  child.stdout?.setEncoding('utf8')
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk
  })
  const document = new Promise<CliResultDocument>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'))
      if (line && stdout.includes('\n', stdout.indexOf(line))) resolve(JSON.parse(line) as CliResultDocument)
    })
    child.on('exit', () => reject(new Error(`exited before printing a JSON document; stderr:\n${stderr}`)))
  })
  document.catch(() => {})
  const timer = setTimeout(() => {
    killed = true
    child.kill('SIGKILL')
  }, options.killAfterMs ?? 100_000)
  const stderrMatches = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(stderr)) resolve()
      }
      child.stderr?.on('data', check)
      child.on('exit', () => reject(new Error(`exited before stderr matched ${pattern}; stderr:\n${stderr}`)))
      check()
    })
  const finished = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, killed, durationMs: Math.round(performance.now() - started) })
    })
  })
  return { child, document, stderrMatches, finished }
}

const codebox = (args: readonly string[], options?: Parameters<typeof start>[1]) =>
  start(args, options).finished

/** Runs `runCli` in this process with captured output. */
async function inProcess(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const sink = (append: (text: string) => void) =>
    ({
      write: (chunk: string | Uint8Array) => {
        append(String(chunk))
        return true
      },
    }) as unknown as NodeJS.WritableStream
  const code = await runCli(argv, {
    stdout: sink((text) => {
      stdout += text
    }),
    stderr: sink((text) => {
      stderr += text
    }),
  })
  return { code, stdout, stderr }
}

function jsonDocument(stdout: string): CliResultDocument {
  const lines = stdout.trim().split('\n')
  expect(lines).toHaveLength(1)
  const document = JSON.parse(lines[0] as string) as CliResultDocument
  expect(document.schema).toBe(CLI_RESULT_SCHEMA_ID)
  return document
}

describe('codebox schema recipe', () => {
  it('prints the recipe JSON Schema (draft 2020-12) that rejects unknown top-level fields', async () => {
    const { code, stdout } = await inProcess(['schema', 'recipe'])
    expect(code).toBe(EXIT_CODES.OK)
    const schema = JSON.parse(stdout)
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(schema.type).toBe('object')
    expect(schema.additionalProperties).toBe(false)
    expect(schema.required).toContain('schema')
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['schema', 'runtime', 'inputs', 'workflow', 'policy', 'artifacts']),
    )
    expect(schema.properties.schema.const ?? schema.properties.schema.enum?.[0]).toBe(RECIPE_SCHEMA_ID)
  })

  it('refuses an unknown schema name with the usage exit code', async () => {
    const { code, stderr } = await inProcess(['schema', 'nope'])
    expect(code).toBe(EXIT_CODES.USAGE)
    expect(stderr).toMatch(/^error\[CLI_USAGE\]: Unknown schema "nope"/)
  })
})

describe('codebox run on a malformed recipe', () => {
  const malformed = {
    schema: RECIPE_SCHEMA_ID,
    runtime: { wp: '6.5', bogus: true },
    workflow: { steps: [{ command: 'wordpress.run-php', timeoutMs: -5 }] },
  }
  let file: string
  beforeAll(async () => {
    file = join(work, 'malformed.recipe.json')
    await writeFile(file, JSON.stringify(malformed))
  })

  it('exits 2 and prints each issue with its JSON path, the error code and the fix', async () => {
    const result = await codebox(['run', file])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('error[RECIPE_INVALID]')
    expect(result.stderr).toContain('$.runtime.bogus: unknown field')
    expect(result.stderr).toContain('$.workflow.steps[0].timeoutMs:')
    expect(result.stderr).toMatch(/\n {2}fix: .*codebox schema recipe/)
  })

  it('prints the documented codebox/cli-result/v1 document with --json, and nothing on stderr', async () => {
    const result = await codebox(['run', file, '--json'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe('')
    const document = jsonDocument(result.stdout)
    expect(document).toEqual({
      schema: CLI_RESULT_SCHEMA_ID,
      command: 'run',
      ok: false,
      exitCode: 2,
      result: null,
      error: {
        code: 'RECIPE_INVALID',
        message: expect.any(String),
        fix: expect.any(String),
        issues: expect.arrayContaining([
          { path: '$.runtime.bogus', message: expect.any(String) },
          { path: '$.workflow.steps[0].timeoutMs', message: expect.any(String) },
        ]),
      },
    })
  })

  it('exits 2 on a file that is not JSON, naming it', async () => {
    const broken = join(work, 'broken.recipe.json')
    await writeFile(broken, '{ "schema": ')
    const { code, stderr } = await inProcess(['run', broken])
    expect(code).toBe(EXIT_CODES.USAGE)
    expect(stderr).toContain('error[RECIPE_JSON_INVALID]')
    expect(stderr).toContain(broken)
  })

  it('exits 3 on a recipe file that does not exist', async () => {
    const { code, stderr } = await inProcess(['run', join(work, 'missing.recipe.json'), '--json'])
    expect(code).toBe(EXIT_CODES.UNAVAILABLE)
    expect(stderr).toBe('')
  })
})

describe('codebox cache', () => {
  it('adds a plugin directory to a cache directory and lists it from CODEBOX_CACHE_DIR', async () => {
    const cacheDir = join(work, 'cache')
    const added = await inProcess([
      'cache',
      'add',
      join(RECIPES_DIR, 'plugins', 'licensed-widget'),
      '--cache-dir',
      cacheDir,
      '--json',
    ])
    expect(added.code).toBe(EXIT_CODES.OK)
    const addedDocument = jsonDocument(added.stdout)
    expect(addedDocument).toMatchObject({
      command: 'cache add',
      ok: true,
      error: null,
      result: {
        kind: 'plugin',
        slug: 'licensed-widget',
        version: '1.0.0',
        sha256: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      },
    })

    const listed = await codebox(['cache', 'list', '--json'], { env: { CODEBOX_CACHE_DIR: cacheDir } })
    expect(listed.code).toBe(0)
    const document = jsonDocument(listed.stdout)
    expect(document).toMatchObject({ command: 'cache list', ok: true, exitCode: 0, error: null })
    const result = document.result as { cacheDir: string; entries: Record<string, unknown>[] }
    expect(result.cacheDir).toBe(cacheDir)
    expect(result.entries).toEqual([
      expect.objectContaining({
        kind: 'plugin',
        slug: 'licensed-widget',
        version: '1.0.0',
        sha256: (addedDocument.result as { sha256: string }).sha256,
        matchesLock: true,
      }),
    ])
  })

  it('exits 3 when the source to add does not exist', async () => {
    const { code, stderr } = await inProcess(['cache', 'add', join(work, 'nope.zip'), '--cache-dir', work])
    expect(code).toBe(EXIT_CODES.UNAVAILABLE)
    expect(stderr).toContain('error[CLI_FILE_NOT_FOUND]')
    expect(stderr).toContain('fix:')
  })
})

describe('codebox run and bundle verify on the real runtime', () => {
  let run: Finished
  let document: CliResultDocument
  let bundle: string

  beforeAll(async () => {
    run = await codebox([
      'run',
      join(RECIPES_DIR, 'failing-probe.recipe.json'),
      '--artifacts',
      join(work, 'failing-probe'),
      '--json',
      '--offline',
    ])
    document = jsonDocument(run.stdout)
    bundle = (document.result as { bundle: { path: string } | null }).bundle?.path as string
  }, 120_000)

  it('exits 1 for a recipe whose health probe fails, by itself, with the diagnostic and a bundle', async () => {
    expect(run.killed).toBe(false)
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('')
    expect(document).toMatchObject({
      command: 'run',
      ok: false,
      exitCode: 1,
      result: {
        schema: 'codebox/recipe-run/v1',
        status: 'failed',
        failedPhase: 'health-probes',
        diagnostics: [
          expect.objectContaining({ phase: 'health-probe', name: 'widget-licensed', executionIndex: 1 }),
        ],
      },
      error: { code: 'RECIPE_FAILED', fix: expect.any(String) },
    })
    expect((await stat(bundle)).isDirectory()).toBe(true)
  })

  it('verifies the bundle with exit 0', async () => {
    const verified = await codebox(['bundle', 'verify', bundle])
    expect(verified.code).toBe(0)
    expect(verified.stdout).toBe(`bundle ${bundle}: ok\n`)
  })

  it('exits 1 on a tampered copy of the bundle and names the altered file', async () => {
    const tampered = join(work, 'tampered-bundle')
    await cp(bundle, tampered, { recursive: true })
    await appendFile(join(tampered, 'diagnostics.json'), ' ')
    const verified = await codebox(['bundle', 'verify', tampered, '--json'])
    expect(verified.code).toBe(1)
    const report = jsonDocument(verified.stdout)
    expect(report).toMatchObject({ command: 'bundle verify', ok: false, exitCode: 1 })
    expect(report.error?.code).toBe('BUNDLE_INVALID')
    expect((report.result as { problems: { path: string }[] }).problems).toContainEqual(
      expect.objectContaining({ path: 'diagnostics.json' }),
    )
  })

  it('exits 3 (not available) for a bundle path that does not exist', async () => {
    const missing = await inProcess(['bundle', 'verify', join(work, 'no-such-bundle')])
    expect(missing.code).toBe(3)
    expect(missing.stdout).toBe('')
    expect(missing.stderr).toContain('error[CLI_FILE_NOT_FOUND]')
    expect(missing.stderr).toContain('fix:')
  })
})

describe('codebox run stopped before it ends', () => {
  // A workflow step far longer than any test: only the run's deadline or an interrupt can stop it.
  const recipe = () => join(work, 'slow.recipe.json')
  beforeAll(async () => {
    await writeFile(
      recipe(),
      JSON.stringify({
        schema: RECIPE_SCHEMA_ID,
        label: 'slow',
        runtime: { backend: 'playground', wp: '6.5' },
        workflow: {
          steps: [
            {
              name: 'sleep',
              command: 'wordpress.run-php',
              args: { code: '<?php sleep(300);' },
              timeoutMs: 600_000,
            },
          ],
        },
      }),
    )
  })

  it('exits 6 when the run outlives --timeout, still writes a bundle, and ends by itself', async () => {
    const timeoutMs = 10_000
    const result = await codebox(
      ['run', recipe(), '--timeout', String(timeoutMs), '--artifacts', join(work, 'slow'), '--json'],
      { killAfterMs: timeoutMs + 45_000 },
    )
    expect(result.killed).toBe(false)
    expect(result.code).toBe(6)
    const document = jsonDocument(result.stdout)
    expect(document).toMatchObject({
      ok: false,
      exitCode: 6,
      result: {
        status: 'timed-out',
        steps: [expect.objectContaining({ name: 'sleep', status: 'timed-out' })],
      },
      error: { code: 'OPERATION_TIMED_OUT' },
    })
    const bundle = (document.result as { bundle: { path: string } }).bundle.path
    expect((await codebox(['bundle', 'verify', bundle])).code).toBe(0)
  }, 90_000)

  it('stops on one Ctrl-C (SIGINT to the whole process group), still writes the bundle and exits 130', async () => {
    const run = start(['run', recipe(), '--artifacts', join(work, 'interrupted')], {
      processGroup: true,
      killAfterMs: 80_000,
    })
    await run.stderrMatches(/codebox: workflow …/)
    process.kill(-(run.child.pid as number), 'SIGINT')
    const result = await run.finished
    expect(result.killed).toBe(false)
    expect(result.code).toBe(130)
    // One key press is one interrupt: the run was not quit before its bundle was written.
    expect(result.stdout).toMatch(/^bundle: (.+)$/m)
    expect(result.stderr).toContain('error[OPERATION_ABORTED]')
    const bundle = (result.stdout.match(/^bundle: (.+)$/m) as RegExpMatchArray)[1] as string
    expect((await codebox(['bundle', 'verify', bundle])).code).toBe(0)
  }, 90_000)
})

/** Starts `codebox serve --json` and waits until it listens. */
async function startServe(args: readonly string[]): Promise<{ server: Started; url: string }> {
  const server = start(['serve', '--port', '0', '--json', '--offline', ...args], { killAfterMs: 150_000 })
  const document = await server.document
  expect(document).toMatchObject({ command: 'serve', ok: true, exitCode: 0, error: null })
  const url = (document.result as { url: string }).url
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  return { server, url }
}

async function stopsCleanlyOnSigint(server: Started): Promise<void> {
  server.child.kill('SIGINT')
  const finished = await server.finished
  expect(finished.killed).toBe(false)
  expect({ code: finished.code, signal: finished.signal }).toEqual({ code: 0, signal: null })
}

describe.sequential('codebox serve --recipe', () => {
  // The headless GraphQL recipe when WPGraphQL is in the cache, else a recipe without it (REST only).
  const recipe = wpGraphqlAvailable ? 'headless-graphql' : 'healthy-stack'
  const title = wpGraphqlAvailable ? 'Headless codebox' : 'Healthy Stack'
  let server: Started
  let url: string

  beforeAll(async () => {
    ;({ server, url } = await startServe(['--recipe', join(RECIPES_DIR, `${recipe}.recipe.json`)]))
  }, 150_000)
  afterAll(() => {
    server?.child.kill('SIGKILL')
  })

  it(`serves the ${recipe} site's REST index on loopback`, async () => {
    const response = await fetch(`${url}/wp-json/`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      name: title,
      namespaces: expect.arrayContaining(['wp/v2']),
    })
  })

  it.skipIf(!wpGraphqlAvailable)(
    `answers GraphQL ${wpGraphqlAvailable ? '(WPGraphQL from the codebox cache)' : '(skipped: WPGraphQL is not in the codebox cache; seed it with `codebox cache add <wp-graphql.zip>`)'}`,
    async () => {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ generalSettings { title } posts { nodes { slug } } }' }),
      })
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({
        data: {
          generalSettings: { title },
          posts: { nodes: expect.arrayContaining([{ slug: 'first-headless-post' }]) },
        },
      })
    },
  )

  it('stops on SIGINT and exits 0 by itself', async () => {
    await stopsCleanlyOnSigint(server)
  }, 60_000)
})

describe.sequential('codebox serve --snapshot', () => {
  let server: Started
  let url: string

  beforeAll(async () => {
    const runtime = await createRuntime({
      backend: playground({ download: false }),
      policy: { commands: { allow: ['wordpress.run-php'] } },
    })
    try {
      const made = await runtime.execute({
        command: 'wordpress.run-php',
        args: { code: "<?php update_option('blogname', 'Served from a snapshot'); echo 'ok';" },
      })
      expect(made.stdout).toBe('ok')
      const snapshot = await runtime.snapshot()
      await writeFile(join(work, 'site.snapshot'), snapshot.bytes)
    } finally {
      await runtime.destroy()
    }
    ;({ server, url } = await startServe(['--snapshot', join(work, 'site.snapshot')]))
  }, 150_000)
  afterAll(() => {
    server?.child.kill('SIGKILL')
  })

  it('serves the restored site', async () => {
    const response = await fetch(`${url}/wp-json/`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ name: 'Served from a snapshot' })
  })

  it('stops on SIGINT and exits 0 by itself', async () => {
    await stopsCleanlyOnSigint(server)
  }, 60_000)

  it('exits 3 for a snapshot file that does not exist', async () => {
    const result = await inProcess(['serve', '--snapshot', join(work, 'missing.snapshot')])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('error[CLI_FILE_NOT_FOUND]')
  })
})
