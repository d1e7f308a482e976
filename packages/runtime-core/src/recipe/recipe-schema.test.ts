import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { isCodeboxError, ValidationError } from '../errors.js'
import { parseRecipe, RECIPE_SCHEMA_ID, recipeJsonSchema } from './recipe-schema.js'

interface MalformedRecipe {
  readonly name: string
  readonly recipe: unknown
  readonly paths: readonly string[]
}

const corpus = JSON.parse(
  readFileSync(new URL('./malformed-recipes.json', import.meta.url), 'utf8'),
) as MalformedRecipe[]

const examples = ['healthy-stack', 'failing-probe', 'headless-graphql'].map((name) => ({
  name,
  recipe: JSON.parse(
    readFileSync(new URL(`../../../../examples/recipes/${name}.recipe.json`, import.meta.url), 'utf8'),
  ) as unknown,
}))

function issuesOf(recipe: unknown): readonly { path: string; message: string }[] {
  try {
    parseRecipe(recipe)
  } catch (error) {
    if (error instanceof ValidationError) return error.issues
    throw error
  }
  return []
}

describe('parseRecipe', () => {
  it('has a corpus of at least 15 malformed recipes', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(15)
  })

  it.each(corpus)('rejects $name with exactly the offending paths', ({ recipe, paths }) => {
    const issues = issuesOf(recipe)
    expect(issues.map((issue) => issue.path)).toEqual(paths)
    for (const issue of issues) expect(issue.message.length).toBeGreaterThan(5)
  })

  it('throws a branded RECIPE_INVALID error whose message names every path', () => {
    const recipe = corpus.find((entry) => entry.paths.length > 1)?.recipe
    let caught: unknown
    try {
      parseRecipe(recipe)
    } catch (error) {
      caught = error
    }
    expect(isCodeboxError(caught)).toBe(true)
    expect((caught as ValidationError).code).toBe('RECIPE_INVALID')
    for (const issue of (caught as ValidationError).issues)
      expect((caught as Error).message).toContain(issue.path)
  })

  it.each(examples)('accepts the $name example recipe', ({ recipe }) => {
    expect(issuesOf(recipe)).toEqual([])
  })

  it('accepts the seed document example with "key=value" setup args', () => {
    const recipe = parseRecipe({
      schema: RECIPE_SCHEMA_ID,
      runtime: { wp: '6.5' },
      inputs: {
        extra_plugins: [
          {
            source: './plugins/page-builder',
            slug: 'page-builder',
            pluginFile: 'page-builder/page-builder.php',
          },
        ],
        pluginRuntime: {
          label: 'visual-builder-stack',
          php: { memoryLimit: '512M', maxExecutionTime: 120 },
          wpConfigDefines: { WP_DEBUG: true },
          setup: [{ command: 'wordpress.wp-cli', args: ['command=option update page_builder_ready yes'] }],
          healthProbes: [
            { name: 'builder-active', type: 'plugin-active', pluginFile: 'page-builder/page-builder.php' },
            { name: 'builder-option', type: 'wp-cli', command: 'option get page_builder_ready' },
          ],
        },
      },
      workflow: { steps: [{ command: 'wordpress.run-php', args: ["code=echo get_option('x');"] }] },
    })
    expect(recipe.inputs?.pluginRuntime?.healthProbes?.map((probe) => probe.type)).toEqual([
      'plugin-active',
      'wp-cli',
    ])
  })

  it('never throws anything but a ValidationError for arbitrary JSON values', () => {
    const values: unknown[] = [
      null,
      0,
      '',
      'recipe',
      true,
      [],
      {},
      { schema: null },
      { schema: RECIPE_SCHEMA_ID, inputs: [] },
    ]
    for (const value of values) {
      expect(() => parseRecipe(value)).toThrow(ValidationError)
    }
  })
})

describe('recipeJsonSchema', () => {
  it('exports a closed JSON Schema that requires the schema id', () => {
    const schema = recipeJsonSchema() as {
      $id: string
      required: string[]
      additionalProperties: boolean
      properties: Record<string, unknown>
    }
    expect(schema.$id).toContain(RECIPE_SCHEMA_ID)
    expect(schema.required).toContain('schema')
    expect(schema.additionalProperties).toBe(false)
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['runtime', 'inputs', 'workflow', 'policy', 'artifacts']),
    )
    expect(JSON.stringify(schema)).toContain('health')
  })
})
