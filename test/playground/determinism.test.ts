/**
 * `createRuntime({ deterministic })` against the real Playground backend: PHP's clock and random sources are seeded
 * in the worker, runtime-core's ids derive from the seed, and two runs of the same commands write bundles that are
 * byte-identical except for the documented measured-time fields.
 */
import { createHash, generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { playground, playgroundRecipeBackend } from '@codebox/backend-playground'
import { createRuntime, type DeterministicOptions, runRecipe } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const policy = { commands: { allow: ['wordpress.*'] } } as const

/** Everything PHP and WordPress take from the clock or from entropy, one per line. */
const SOURCES = `<?php
$post = wp_insert_post(['post_title' => 'seeded', 'post_status' => 'publish']);
echo implode("\\n", [
  'time ' . time(),
  'date ' . date('c'),
  'microtime ' . microtime(true),
  'post_date ' . get_post($post)->post_date_gmt,
  'mt_rand ' . mt_rand(),
  'rand ' . rand(),
  'random_int ' . random_int(1, PHP_INT_MAX),
  'random_bytes ' . bin2hex(random_bytes(16)),
  'uniqid ' . uniqid(),
  'uniqid_entropy ' . uniqid('', true),
  'lcg_value ' . lcg_value(),
  'wp_rand ' . wp_rand(),
  'password ' . wp_generate_password(24, true, true),
  'uuid ' . wp_generate_uuid4(),
  'nonce_tick ' . wp_nonce_tick(),
]);`

interface Run {
  readonly id: string
  readonly lines: Map<string, string>
  readonly commandIds: string[]
  readonly bundle: Map<string, Buffer>
  readonly bundleId: string
}

/** One key for every run: with the default ephemeral key the attestation's key and signature differ by design. */
const { privateKey: signingKey } = generateKeyPairSync('ed25519')

let outDir: string
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'codebox-determinism-'))
  // The WordPress and site templates exist before the first seeded run, so both runs reuse them: a build's
  // progress messages ("built site template …") describe the cache, not the run.
  await using warm = await createRuntime({ backend: playground(), policy, cleanupOnExit: false })
  expect(warm.id).toMatch(/^rt_/)
}, 600_000)
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true })
})

/** Every file of a bundle directory, by path inside it. */
async function readBundle(dir: string): Promise<Map<string, Buffer>> {
  const bundle = new Map<string, Buffer>()
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const full = join(entry.parentPath, entry.name)
    bundle.set(relative(dir, full), await readFile(full))
  }
  return bundle
}

async function run(deterministic: DeterministicOptions, name: string): Promise<Run> {
  await using runtime = await createRuntime({
    backend: playground(),
    policy,
    deterministic,
    cleanupOnExit: false,
  })
  const sources = await runtime.execute({ command: 'wordpress.run-php', args: { code: SOURCES } })
  expect(sources.status, sources.stderr).toBe('ok')
  const rest = await runtime.execute({ command: 'wordpress.rest-request', args: { route: '/wp/v2/posts' } })
  expect(rest.status).toBe('ok')
  const collected = await runtime.collect({ path: join(outDir, name), signingKey })
  const bundle = await readBundle(collected.path)
  const lines = new Map(
    sources.stdout
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]),
  )
  return {
    id: runtime.id,
    lines,
    commandIds: runtime.history.map((record) => record.id),
    bundle,
    bundleId: collected.bundleId,
  }
}

describe('a deterministic runtime', () => {
  const seeded = { clock: '2026-01-01T00:00:00Z', seed: 42 }
  let first: Run
  let second: Run
  let otherSeed: Run

  beforeAll(async () => {
    first = await run(seeded, 'first')
    second = await run(seeded, 'second')
    otherSeed = await run({ clock: '2026-01-01T00:00:00Z', seed: 43 }, 'other-seed')
  }, 600_000)

  it('starts PHP and WordPress at the given instant', () => {
    expect(first.lines.get('time')).toBe(String(Date.parse('2026-01-01T00:00:00Z') / 1000))
    expect(first.lines.get('date')).toBe('2026-01-01T00:00:00+00:00')
    expect(first.lines.get('post_date')).toBe('2026-01-01 00:00:00')
  })

  it('gives the same clock and random values to two runs with one seed', () => {
    expect([...second.lines]).toEqual([...first.lines])
    expect(first.lines.size).toBe(15)
  })

  it('gives other random values for another seed, on the same clock', () => {
    for (const source of ['mt_rand', 'rand', 'random_int', 'random_bytes', 'password', 'uuid', 'wp_rand']) {
      expect(otherSeed.lines.get(source), source).not.toBe(first.lines.get(source))
    }
    expect(otherSeed.lines.get('time')).toBe(first.lines.get('time'))
  })

  it('derives the runtime, command and bundle ids from the seed', () => {
    expect(second.id).toBe(first.id)
    expect(first.id).toMatch(/^rt_[\w-]{12}$/)
    expect(otherSeed.id).not.toBe(first.id)
    expect(second.commandIds).toEqual(first.commandIds)
    expect(second.bundleId).toBe(first.bundleId)
    expect(otherSeed.bundleId).not.toBe(first.bundleId)
  })

  it('writes bundles that differ only in the documented measured-time fields', () => {
    expectSameExceptMeasured(first.bundle, second.bundle)
  })
})

describe('a recipe with runtime.deterministic', () => {
  /** Setup, a health probe and a workflow step that all read the clock or entropy. */
  const recipe = {
    schema: 'wp-codebox/workspace-recipe/v1',
    label: 'deterministic',
    runtime: { backend: 'playground', deterministic: { clock: '2026-01-01T00:00:00Z', seed: 7 } },
    inputs: {
      pluginRuntime: {
        setup: [{ command: 'wordpress.option-set', args: { name: 'codebox_seeded', value: 'yes' } }],
        healthProbes: [{ name: 'clock', type: 'php', code: "echo date('c');" }],
      },
      siteSeeds: { posts: [{ title: 'Seeded post' }] },
    },
    workflow: {
      steps: [
        {
          name: 'sources',
          command: 'wordpress.run-php',
          args: ["code=<?php echo time(), ' ', wp_generate_password(16), ' ', bin2hex(random_bytes(8));"],
        },
      ],
    },
  }
  const runOnce = async (name: string) => {
    const result = await runRecipe(recipe, {
      backendFactory: (spec) => playgroundRecipeBackend(spec, { download: false }),
      artifactsDirectory: join(outDir, name),
      signingKey,
    })
    expect(result.status, JSON.stringify(result.diagnostics)).toBe('ok')
    if (!result.bundle) throw new Error(`no bundle: ${JSON.stringify(result.bundleError)}`)
    return { result, bundle: await readBundle(result.bundle.path) }
  }

  it('runs twice into bundles that differ only in the documented measured-time fields', async () => {
    const first = await runOnce('recipe-first')
    const second = await runOnce('recipe-second')
    expect(second.result.bundle?.bundleId).toBe(first.result.bundle?.bundleId)
    const commands = first.bundle.get('commands.jsonl')?.toString('utf8') ?? ''
    expect(commands).toContain(String(Date.parse('2026-01-01T00:00:00Z') / 1000))
    expectSameExceptMeasured(first.bundle, second.bundle)
  }, 600_000)
})

/** The two bundles hold the same files, byte-identical except the documented measured-time fields. */
function expectSameExceptMeasured(first: Map<string, Buffer>, second: Map<string, Buffer>): void {
  expect([...second.keys()].sort()).toEqual([...first.keys()].sort())
  const differing = [...first.keys()].filter((path) => digest(first.get(path)) !== digest(second.get(path)))
  for (const path of differing) expect(MEASURED_FILES, `${path} differs`).toContain(path)
  for (const path of differing) {
    expect(withoutMeasuredTimes(path, second.get(path)), path).toEqual(
      withoutMeasuredTimes(path, first.get(path)),
    )
  }
  // The other files (site changes, diagnostics, policy, provenance, credentials, mail…) are byte-identical.
  expect(first.size).toBeGreaterThan(differing.length)
}

function digest(bytes: Buffer | undefined): string {
  return createHash('sha256')
    .update(bytes ?? '')
    .digest('hex')
}

/**
 * The documented fields that measure the run rather than describe it (the runtime-core README lists them):
 * wall-clock stamps and durations in commands and events, the bundle's `timings`, the boot time in the boot log,
 * and — following from those — those files' digests and sizes in the manifest and the attestation, and the
 * attestation's signature.
 */
const MEASURED_FIELDS = new Set(['startedAt', 'finishedAt', 'durationMs', 'time', 'timings'])
const MEASURED_FILES = [
  'commands.jsonl',
  'events.jsonl',
  'logs/boot.log',
  'manifest.json',
  'attestation.json',
]

function withoutMeasuredTimes(path: string, bytes: Buffer | undefined): unknown {
  const text = bytes?.toString('utf8') ?? ''
  if (path.endsWith('.jsonl'))
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => strip(JSON.parse(line)))
  if (path.endsWith('.json')) return strip(JSON.parse(text))
  return text.replace(/ in \d+ ms/g, ' in N ms')
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip)
  if (value === null || typeof value !== 'object') return value
  const measuredFile = MEASURED_FILES.includes(String((value as { path?: unknown }).path))
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !MEASURED_FIELDS.has(key))
      .filter(([key]) => !(measuredFile && (key === 'sha256' || key === 'size')))
      .filter(([key]) => key !== 'signature')
      .map(([key, inner]) => [key, strip(inner)]),
  )
}
