/**
 * Property tests (seeded, bounded) over what callers hand the Playground backend before anything boots: playground()
 * options, plugin specs and recipe runtime sections. Each gives a value or one typed error naming the field; never
 * another exception.
 */
import { isCodeboxError, parseRecipe, RECIPE_SCHEMA_ID } from '@codebox/runtime-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nearJson } from './near-json.test-fixture.js'
import { parsePlaygroundOptions } from './playground-options.js'
import { playgroundRecipeBackend } from './recipe/playground-recipe-backend.js'
import { normalizePluginSpec, normalizeToolSpec } from './resources/resource-spec.js'

const RUNS = { seed: 0xb4c4e2d, numRuns: 200 } as const

/** A value, or a codebox error with a stable code whose issues (if any) each name a JSON path. */
function typedOrValue(run: () => unknown, code: string): void {
  try {
    run()
  } catch (error) {
    expect(isCodeboxError(error), String(error)).toBe(true)
    expect((error as { code: string }).code).toBe(code)
    const issues = (error as { issues?: { path: string; message: string }[] }).issues ?? []
    for (const issue of issues) expect(issue.path).toMatch(/^\$/)
    expect(() => JSON.stringify(error)).not.toThrow()
  }
}

describe('invalid input', () => {
  it('playground() options give the resolved options or PLAYGROUND_OPTIONS_INVALID', () => {
    const valid = {
      wordpress: '6.5',
      php: '8.3',
      plugins: ['wp-graphql', { slug: 'dev', source: './dev', activate: false, loadAs: 'mu-plugin' }],
      mounts: [{ source: '/srv/site', target: '/wordpress/wp-content/uploads', mode: 'readwrite' }],
      constants: { WP_DEBUG: true },
      phpIni: { display_errors: '0' },
      memoryLimit: '256M',
      graphql: { maxDepth: 10, maxBodyBytes: 4096 },
      pool: { size: 1 },
      download: false,
    }
    expect(() => parsePlaygroundOptions(valid)).not.toThrow()
    fc.assert(
      fc.property(nearJson(valid), (input) =>
        typedOrValue(() => parsePlaygroundOptions(input), 'PLAYGROUND_OPTIONS_INVALID'),
      ),
      RUNS,
    )
  })

  it('plugin and tool specs give the normalised spec or RESOURCE_SPEC_INVALID', () => {
    const plugin = {
      slug: 'wp-graphql',
      version: '2.5.3',
      source: './wp-graphql.zip',
      sha256: 'a'.repeat(64),
    }
    const tool = { name: 'wp-cli', version: '2.10.0', source: './wp-cli.phar' }
    fc.assert(
      fc.property(nearJson(plugin), nearJson(tool), (pluginInput, toolInput) => {
        typedOrValue(() => normalizePluginSpec(pluginInput), 'RESOURCE_SPEC_INVALID')
        typedOrValue(() => normalizeToolSpec(toolInput), 'RESOURCE_SPEC_INVALID')
      }),
      RUNS,
    )
  })

  it("a recipe's runtime and plugins give a backend or RECIPE_INVALID naming the field", () => {
    const recipe = {
      schema: RECIPE_SCHEMA_ID,
      runtime: {
        backend: 'playground',
        wp: '6.9',
        phpVersion: '8.3',
        blueprint: [{ step: 'mkdir', path: '/x' }],
      },
      inputs: {
        extra_plugins: [{ source: './a', slug: 'a', loadAs: 'mu-plugin' }],
        pluginRuntime: { php: { memoryLimit: '256M', iniEntries: { display_errors: '0' } } },
      },
    }
    fc.assert(
      fc.property(nearJson(recipe), (input) =>
        typedOrValue(() => {
          const parsed = parseRecipe(input)
          const pluginRuntime = parsed.inputs?.pluginRuntime
          return playgroundRecipeBackend({
            recipe: parsed,
            runtime: parsed.runtime ?? {},
            extraPlugins: parsed.inputs?.extra_plugins ?? [],
            php: pluginRuntime?.php ?? {},
            wpConfigDefines: pluginRuntime?.wpConfigDefines ?? {},
            baseDir: undefined,
          })
        }, 'RECIPE_INVALID'),
      ),
      RUNS,
    )
  })
})
