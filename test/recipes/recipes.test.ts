import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyBundle } from '@codebox/artifacts'
import { playgroundRecipeBackend } from '@codebox/backend-playground'
import { type RecipeRunResult, runRecipe } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  RECIPES_DIR,
  readExampleRecipe,
  readJsonLines,
  wpCliAvailable,
  wpGraphqlAvailable,
} from './example-recipes.js'

let artifacts: string

beforeAll(async () => {
  artifacts = await mkdtemp(join(tmpdir(), 'codebox-recipes-'))
})
afterAll(async () => {
  await rm(artifacts, { recursive: true, force: true })
})

function run(name: string): Promise<RecipeRunResult> {
  return readExampleRecipe(name).then((recipe) =>
    runRecipe(recipe, {
      backendFactory: (spec) => playgroundRecipeBackend(spec, { download: false }),
      baseDir: RECIPES_DIR,
      artifactsDirectory: join(artifacts, name),
    }),
  )
}

async function commandOutputs(
  bundle: string,
): Promise<{ command: string; stdout: string; status: string }[]> {
  return (await readJsonLines(join(bundle, 'commands.jsonl'))).map((record) => ({
    command: String(record.command),
    status: String(record.status),
    stdout: String((record.stdout as { text: string }).text),
  }))
}

describe('the healthy-stack recipe on the real runtime', () => {
  let result: RecipeRunResult
  beforeAll(async () => {
    result = await run('healthy-stack')
  }, 240_000)

  it('passes every phase, in the documented order', () => {
    expect(result.status).toBe('ok')
    expect(result.diagnostics).toEqual([])
    expect([...new Set(result.steps.map((step) => step.phase))]).toEqual([
      'blueprint',
      'mu-plugin-loaders',
      'activate-plugins',
      'setup',
      'health-probes',
      'site-seeds',
      'workflow',
    ])
    expect(result.steps.every((step) => step.status === 'ok')).toBe(true)
  })

  it('writes a bundle that verifies, with per-phase timings and the plugins in provenance', async () => {
    const bundle = result.bundle?.path as string
    const report = await verifyBundle(bundle)
    expect(report.problems).toEqual([])
    expect(report.ok).toBe(true)
    const manifest = JSON.parse(await readFile(join(bundle, 'manifest.json'), 'utf8'))
    for (const key of ['recipe.bootMs', 'recipe.setupMs', 'recipe.healthProbesMs', 'recipe.workflowMs']) {
      expect(manifest.timings[key]).toBeTypeOf('number')
    }
    const plugins = manifest.provenance.components.filter(
      (component: { kind: string }) => component.kind === 'plugin',
    )
    expect(plugins.map((plugin: { name: string }) => plugin.name)).toEqual(
      expect.arrayContaining(['healthy-stack', 'stack-config']),
    )
    expect(manifest.inputs.metadata.recipe.label).toBe('healthy-stack')
  })

  it('applies blueprint options, setup, seeds and the mu-plugin before the workflow reads them', async () => {
    const outputs = await commandOutputs(result.bundle?.path as string)
    expect(outputs.map((record) => record.stdout)).toContain(
      'Healthy Stack | dark | editor1 | codebox-recipe',
    )
    expect(outputs.at(-1)?.stdout).toContain('hello-from-a-recipe')
  })
})

describe('the failing-probe recipe on the real runtime', () => {
  let result: RecipeRunResult
  beforeAll(async () => {
    result = await run('failing-probe')
  }, 240_000)

  it('fails in the health probes with a precise diagnostic', () => {
    expect(result.status).toBe('failed')
    expect(result.failedPhase).toBe('health-probes')
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        schema: 'wp-codebox/plugin-runtime-diagnostic/v1',
        severity: 'error',
        phase: 'health-probe',
        name: 'widget-licensed',
        command: 'wordpress.run-php',
        executionIndex: 1,
        message: expect.stringContaining('Licensed Widget has no license key'),
      }),
    ])
    expect(result.diagnostics[0]?.exitCode).not.toBe(0)
  })

  it('still runs the remaining probes but neither the site seeds nor the workflow', async () => {
    expect(result.steps.find((step) => step.name === 'rest-index')?.status).toBe('ok')
    expect(result.steps.filter((step) => step.status === 'skipped').map((step) => step.name)).toEqual([
      'site-seeds:posts',
      'never-runs',
    ])
    const outputs = await commandOutputs(result.bundle?.path as string)
    expect(outputs.some((record) => record.stdout.includes('the workflow ran'))).toBe(false)
    expect(outputs.at(-1)?.command).toBe('wordpress.http-request')
  })

  it('collects a verifiable bundle whose diagnostics.json holds the probe failure', async () => {
    const bundle = result.bundle?.path as string
    expect((await verifyBundle(bundle)).ok).toBe(true)
    const document = JSON.parse(await readFile(join(bundle, 'diagnostics.json'), 'utf8'))
    expect(document.diagnostics).toContainEqual(
      expect.objectContaining({ phase: 'health-probe', name: 'widget-licensed', executionIndex: 1 }),
    )
    expect(await readFile(join(bundle, 'logs', 'php-error.log'), 'utf8')).toContain('Licensed Widget')
  })
})

describe.skipIf(!wpGraphqlAvailable)(
  `the headless-graphql recipe on the real runtime${wpGraphqlAvailable ? '' : ' (skipped: WPGraphQL not in the codebox cache; run `codebox cache add <wp-graphql.zip>`)'}`,
  () => {
    it('serves the seeded posts over GraphQL and writes a verifiable bundle', async () => {
      const result = await run('headless-graphql')
      expect(result.status).toBe('ok')
      const bundle = result.bundle?.path as string
      expect((await verifyBundle(bundle)).ok).toBe(true)
      const outputs = await commandOutputs(bundle)
      const graphql = JSON.parse(outputs.at(-1)?.stdout ?? '{}')
      expect(graphql.data.generalSettings.title).toBe('Headless codebox')
      expect(graphql.data.posts.nodes.map((node: { slug: string }) => node.slug)).toEqual(
        expect.arrayContaining(['first-headless-post', 'second-headless-post']),
      )
    }, 240_000)
  },
)

describe.skipIf(!wpCliAvailable)(
  `the wp-cli-stack recipe on the real runtime${wpCliAvailable ? '' : ' (skipped: wp-cli.phar not in the codebox cache; run `codebox cache add <wp-cli.phar>`)'}`,
  () => {
    it('runs WP-CLI setup, WP-CLI probes and a WP-CLI workflow step, and writes a verifiable bundle', async () => {
      const result = await run('wp-cli-stack')
      expect(result.status).toBe('ok')
      expect(
        result.steps.filter((step) => step.phase === 'health-probes').map((step) => step.status),
      ).toEqual(['ok', 'ok'])
      const bundle = result.bundle?.path as string
      expect((await verifyBundle(bundle)).ok).toBe(true)
      const outputs = await commandOutputs(bundle)
      expect(outputs.at(-1)).toMatchObject({ command: 'wordpress.wp-cli', status: 'ok' })
      expect(outputs.at(-1)?.stdout).toContain('listed-by-wp-cli')
    }, 240_000)
  },
)
