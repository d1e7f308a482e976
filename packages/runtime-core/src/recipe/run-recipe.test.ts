import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyBundle } from '@codebox/artifacts'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { BackendInstance, RuntimeBackend } from '../backend.js'
import { defineCommand } from '../commands.js'
import { ValidationError } from '../errors.js'
import type { RecipeBackend, RecipeCapabilities } from './recipe-capabilities.js'
import type { RecipeEvent } from './recipe-run-types.js'
import { RECIPE_SCHEMA_ID } from './recipe-schema.js'
import { runRecipe } from './run-recipe.js'

// A backend-agnostic runner needs a backend to run on; this one only records what it was asked to run (no
// WordPress behaviour is claimed here: the Playground end-to-end suite is test/recipes).
const EchoArgs = z.strictObject({ text: z.string(), exitCode: z.number().int().default(0) })

function echoBackend(log: string[]): RuntimeBackend {
  return {
    name: 'echo',
    commands: { 'test.echo': defineCommand({ name: 'test.echo', description: 'echo', args: EchoArgs }) },
    create: async (): Promise<BackendInstance> => ({
      provenance: { backend: { name: 'echo', version: '0' }, components: [] },
      enforcement: {
        network: { status: 'not-applicable', detail: 'no network' },
        filesystem: { status: 'not-applicable', detail: 'no files' },
      },
      mount: async () => {
        throw new Error('no mounts')
      },
      execute: async (_command, args, context) => {
        const { text, exitCode } = args as z.output<typeof EchoArgs>
        log.push(text)
        if (text === 'hang') {
          // Stands for a step that outlives the run's deadline: it ends only when it is stopped.
          await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }))
          throw context.signal.reason
        }
        return {
          exitCode,
          stdout: text,
          ...(exitCode === 0 ? {} : { message: `${text} exited ${exitCode}` }),
        }
      },
      snapshot: async () => {
        throw new Error('no snapshots')
      },
      collect: async () => ({ logs: { 'echo.log': log.join('\n') } }),
      destroy: async () => {},
    }),
  }
}

const echo = (text: string, exitCode = 0) => ({ command: 'test.echo', args: { text, exitCode } })

const capabilities: RecipeCapabilities = {
  installMuPluginLoader: (plugin) =>
    plugin.loadAs === 'mu-plugin' ? echo(`loader:${plugin.slug}`) : undefined,
  activatePlugin: (plugin) => (plugin.loadAs === 'mu-plugin' ? undefined : echo(`activate:${plugin.slug}`)),
  probe: (probe) => ({
    ...echo(`probe:${probe.name}`),
    check: (result) => (result.stdout.includes('bad') ? `${probe.name} is unhealthy` : undefined),
  }),
  seeds: (seeds) => (seeds.posts ? [{ name: 'site-seeds:posts', ...echo('seed:posts') }] : []),
}

function factory(log: string[]): () => RecipeBackend {
  return () => ({ backend: echoBackend(log), capabilities })
}

function recipe(probes: { name: string; type: 'php'; code: string }[], setupExit = 0) {
  return {
    schema: RECIPE_SCHEMA_ID,
    inputs: {
      extra_plugins: [
        { source: '/p/a', slug: 'a' },
        { source: '/p/mu', slug: 'mu', loadAs: 'mu-plugin' },
        { source: '/p/b', slug: 'b' },
      ],
      pluginRuntime: {
        setup: [
          { command: 'test.echo', args: { text: 'setup:1' } },
          { command: 'test.echo', args: ['text=setup:2', `exitCode=${setupExit}`] },
        ],
        healthProbes: probes,
      },
      siteSeeds: { posts: [{ title: 'x' }] },
    },
    workflow: { steps: [{ command: 'test.echo', args: { text: 'workflow:1' } }] },
  }
}

const directories: string[] = []
afterAll(async () => {
  await Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('runRecipe', () => {
  it('runs the phases in the documented order', async () => {
    const log: string[] = []
    const result = await runRecipe(recipe([{ name: 'p1', type: 'php', code: 'ok' }]), {
      backendFactory: factory(log),
    })
    expect(result.status).toBe('ok')
    expect(log).toEqual([
      'loader:mu',
      'activate:a',
      'activate:b',
      'setup:1',
      'setup:2',
      'probe:p1',
      'seed:posts',
      'workflow:1',
    ])
    expect(Object.keys(result.timings)).toEqual(
      expect.arrayContaining([
        'recipe.bootMs',
        'recipe.setupMs',
        'recipe.healthProbesMs',
        'recipe.workflowMs',
      ]),
    )
  })

  it('runs every probe, reports each failure and never reaches seeds or the workflow', async () => {
    const log: string[] = []
    const directory = await mkdtemp(join(tmpdir(), 'codebox-recipe-'))
    directories.push(directory)
    const result = await runRecipe(
      recipe([
        { name: 'p1', type: 'php', code: 'ok' },
        { name: 'p2', type: 'php', code: 'bad' },
        { name: 'p3', type: 'php', code: 'ok' },
      ]),
      {
        backendFactory: () => ({
          backend: echoBackend(log),
          capabilities: {
            ...capabilities,
            probe: (probe) =>
              capabilities.probe({ ...probe, name: `${probe.name}${probe.name === 'p2' ? '-bad' : ''}` }, 0),
          },
        }),
        artifactsDirectory: directory,
      },
    )
    expect(result.status).toBe('failed')
    expect(result.failedPhase).toBe('health-probes')
    expect(log).not.toContain('seed:posts')
    expect(log).not.toContain('workflow:1')
    expect(log).toContain('probe:p3')
    expect(result.diagnostics).toEqual([
      {
        schema: 'wp-codebox/plugin-runtime-diagnostic/v1',
        severity: 'error',
        phase: 'health-probe',
        name: 'p2',
        command: 'test.echo',
        exitCode: 0,
        message: 'p2-bad is unhealthy',
        executionIndex: 1,
      },
    ])
    expect(result.steps.filter((step) => step.status === 'skipped').map((step) => step.phase)).toEqual([
      'site-seeds',
      'workflow',
    ])
    const bundle = result.bundle?.path as string
    expect((await verifyBundle(bundle)).ok).toBe(true)
    const diagnostics = JSON.parse(await readFile(join(bundle, 'diagnostics.json'), 'utf8'))
    expect(diagnostics.diagnostics).toContainEqual(expect.objectContaining({ name: 'p2', executionIndex: 1 }))
    const manifest = JSON.parse(await readFile(join(bundle, 'manifest.json'), 'utf8'))
    expect(manifest.timings['recipe.healthProbesMs']).toBeTypeOf('number')
  })

  it('stops at the first failed setup step and skips the probes', async () => {
    const log: string[] = []
    const result = await runRecipe(recipe([{ name: 'p1', type: 'php', code: 'ok' }], 3), {
      backendFactory: factory(log),
    })
    expect(result.failedPhase).toBe('setup')
    expect(log.at(-1)).toBe('setup:2')
    expect(result.diagnostics[0]).toMatchObject({
      phase: 'setup',
      name: 'setup[1]',
      exitCode: 3,
      executionIndex: 1,
      message: 'setup:2 exited 3',
    })
  })

  it('infers a least-privilege policy from the commands the recipe runs', async () => {
    const log: string[] = []
    const result = await runRecipe(recipe([]), { backendFactory: factory(log), keepRuntime: true })
    try {
      expect(result.runtime?.policy.commands.allow).toEqual(['test.echo'])
      expect(result.runtime?.policy.network).toBe('deny')
    } finally {
      await result.runtime?.destroy()
    }
  })

  it('refuses an unknown command or bad arguments with their recipe paths before booting', async () => {
    const log: string[] = []
    const bad = {
      schema: RECIPE_SCHEMA_ID,
      workflow: {
        steps: [
          { command: 'test.nope' },
          { command: 'test.echo', args: { text: 1 } },
          { command: 'test.echo', args: ['text'] },
        ],
      },
    }
    const error = await runRecipe(bad, { backendFactory: factory(log) }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([
      '$.workflow.steps[0].command',
      '$.workflow.steps[1].args.text',
      '$.workflow.steps[2].args[0]',
    ])
    expect(log).toEqual([])
  })

  it('fails closed on a missing connector credential before the backend boots', async () => {
    let booted = false
    const error = await runRecipe(
      { schema: RECIPE_SCHEMA_ID, inputs: { connectors: [{ name: 'github', secrets: ['GITHUB_TOKEN'] }] } },
      {
        backendFactory: () => ({
          backend: {
            ...echoBackend([]),
            create: async () => {
              booted = true
              return echoBackend([]).create({} as never)
            },
          },
          capabilities,
        }),
        env: {},
      },
    ).catch((caught: unknown) => caught)
    expect((error as { code?: string }).code).toBe('CONNECTOR_CREDENTIALS_UNAVAILABLE')
    expect(booted).toBe(false)
  })

  it('reports a run that outlives timeoutMs as timed out, not aborted, and still collects the bundle', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'codebox-recipe-'))
    directories.push(directory)
    const result = await runRecipe(
      {
        schema: RECIPE_SCHEMA_ID,
        workflow: {
          steps: [
            { command: 'test.echo', args: { text: 'hang' } },
            { command: 'test.echo', args: { text: 'never' } },
          ],
        },
      },
      { backendFactory: factory([]), timeoutMs: 200, artifactsDirectory: directory },
    )
    expect(result.status).toBe('timed-out')
    expect(result.steps.map((step) => step.status)).toEqual(['timed-out', 'skipped'])
    expect(result.diagnostics[0]?.message).toContain('did not finish within 200 ms')
    expect((await verifyBundle(result.bundle?.path as string)).ok).toBe(true)
  })

  it('reports a run stopped by its signal as aborted', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const result = await runRecipe(
      { schema: RECIPE_SCHEMA_ID, workflow: { steps: [{ command: 'test.echo', args: { text: 'hang' } }] } },
      { backendFactory: factory([]), timeoutMs: 60_000, signal: controller.signal },
    )
    expect(result.status).toBe('aborted')
    expect(result.steps[0]?.status).toBe('aborted')
  })

  it('throws OPERATION_TIMED_OUT when the boot outlives timeoutMs', async () => {
    const slow = echoBackend([])
    const error = await runRecipe(
      { schema: RECIPE_SCHEMA_ID },
      {
        backendFactory: () => ({
          backend: {
            ...slow,
            create: async (context) => {
              await new Promise((resolve) =>
                context.signal.addEventListener('abort', resolve, { once: true }),
              )
              throw context.signal.reason
            },
          },
          capabilities,
        }),
        timeoutMs: 100,
      },
    ).catch((caught: unknown) => caught)
    expect((error as { code?: string }).code).toBe('OPERATION_TIMED_OUT')
  })

  it('reports phases and steps as events in order', async () => {
    const events: RecipeEvent[] = []
    await runRecipe(recipe([]), { backendFactory: factory([]), onEvent: (event) => events.push(event) })
    const phases = events.filter((event) => event.type === 'recipe.phase.started').map((event) => event.phase)
    expect(phases).toEqual([
      'boot',
      'mu-plugin-loaders',
      'activate-plugins',
      'setup',
      'site-seeds',
      'workflow',
    ])
    expect(events.at(-1)).toMatchObject({ type: 'recipe.finished', status: 'ok' })
  })
})
