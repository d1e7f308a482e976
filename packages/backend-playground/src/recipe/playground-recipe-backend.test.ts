import { parseRecipe, type RecipeRuntimeSpec, ValidationError } from '@codebox/runtime-core'
import { describe, expect, it } from 'vitest'
import { translateBlueprint, wpCliArgv } from './blueprint-steps.js'
import { playgroundRecipeBackend } from './playground-recipe-backend.js'

function spec(recipe: unknown): RecipeRuntimeSpec {
  const parsed = parseRecipe(recipe)
  const pluginRuntime = parsed.inputs?.pluginRuntime
  return {
    recipe: parsed,
    runtime: parsed.runtime ?? {},
    extraPlugins: parsed.inputs?.extra_plugins ?? [],
    php: pluginRuntime?.php ?? {},
    wpConfigDefines: pluginRuntime?.wpConfigDefines ?? {},
    baseDir: undefined,
  }
}

function issues(run: () => unknown): string[] {
  try {
    run()
  } catch (error) {
    if (error instanceof ValidationError)
      return error.issues.map((issue) => `${issue.path}: ${issue.message}`)
    throw error
  }
  return []
}

const schema = 'wp-codebox/workspace-recipe/v1'

describe('translateBlueprint', () => {
  it('turns the offline subset into boot constants and commands, in order', () => {
    const steps = translateBlueprint(
      [
        { step: 'defineWpConfigConsts', consts: { A: 1 } },
        { step: 'setSiteOptions', options: { blogname: 'x' } },
        { step: 'wp-cli', command: 'wp option get blogname' },
        { step: 'activatePlugin', pluginPath: '/wordpress/wp-content/plugins/a/a.php' },
      ],
      '$.runtime.blueprint',
    )
    expect(steps[0]).toEqual({ kind: 'constants', consts: { A: 1 } })
    expect(
      steps.slice(1).map((step) => (step.kind === 'command' ? step.command.command : step.kind)),
    ).toEqual(['wordpress.run-php', 'wordpress.wp-cli', 'wordpress.plugin-activate'])
    expect(steps[2]).toMatchObject({ command: { args: { argv: ['option', 'get', 'blogname'] } } })
    expect(steps[3]).toMatchObject({ command: { args: { plugin: 'a/a.php' } } })
  })

  it('refuses steps that need the network, unknown steps and bad fields, each with its path', () => {
    expect(
      issues(() =>
        translateBlueprint(
          [
            { step: 'installPlugin', pluginData: { resource: 'wordpress.org/plugins', slug: 'x' } },
            { step: 'enableMultisite' },
            { step: 'writeFile', path: '/etc/passwd', data: { resource: 'url', url: 'https://x' } },
            { step: 'mkdir', path: '/wordpress/x', recursive: true },
          ],
          '$.runtime.blueprint.steps',
        ),
      ),
    ).toEqual([
      expect.stringMatching(/^\$\.runtime\.blueprint\.steps\[0\]\.step: .*needs the network/),
      expect.stringMatching(
        /^\$\.runtime\.blueprint\.steps\[1\]\.step: .*not in the supported offline subset/,
      ),
      expect.stringMatching(/^\$\.runtime\.blueprint\.steps\[2\]\.path: /),
      expect.stringMatching(/^\$\.runtime\.blueprint\.steps\[2\]\.data: .*network/),
      '$.runtime.blueprint.steps[3].recursive: unknown field for this step',
    ])
  })

  it('splits WP-CLI command lines like a shell, keeping quoted arguments whole', () => {
    expect(wpCliArgv('wp option update greeting "hello world"')).toEqual([
      'option',
      'update',
      'greeting',
      'hello world',
    ])
  })
})

describe('playgroundRecipeBackend', () => {
  it('names the runtime fields the Playground backend cannot provide', () => {
    expect(
      issues(() =>
        playgroundRecipeBackend(
          spec({ schema, runtime: { backend: 'docker', wp: 'banana', phpVersion: '7.4' } }),
        ),
      ).map((issue) => issue.split(':')[0]),
    ).toEqual(['$.runtime.backend', '$.runtime.wp', '$.runtime.phpVersion'])
  })

  it('takes any WordPress release version, like the seed recipe\'s "7.0": it resolves from the cache or wordpress.org', () => {
    for (const wp of ['7.0', '6.9', '6.8.3', 'latest', './wordpress', './wordpress-6.9.zip']) {
      expect(
        issues(() => playgroundRecipeBackend(spec({ schema, runtime: { wp } }))),
        wp,
      ).toEqual([])
    }
  })

  it('activates plain plugins by their file and loads mu-plugins through a loader instead', () => {
    const { capabilities } = playgroundRecipeBackend(
      spec({
        schema,
        inputs: {
          extra_plugins: [
            { source: '/p/a', slug: 'a', pluginFile: 'a/main.php' },
            { source: '/p/m', slug: 'm', loadAs: 'mu-plugin' },
            { source: '/p/off', slug: 'off', activate: false },
          ],
        },
      }),
    )
    const plugins = parseRecipe({
      schema,
      inputs: {
        extra_plugins: [
          { source: '/p/a', slug: 'a', pluginFile: 'a/main.php' },
          { source: '/p/m', slug: 'm', loadAs: 'mu-plugin' },
          { source: '/p/off', slug: 'off', activate: false },
        ],
      },
    }).inputs?.extra_plugins as NonNullable<ReturnType<typeof parseRecipe>['inputs']>['extra_plugins'] &
      object
    expect(plugins.map((plugin, index) => capabilities.activatePlugin(plugin, index))).toEqual([
      { command: 'wordpress.plugin-activate', args: { plugin: 'a/main.php' } },
      undefined,
      undefined,
    ])
    expect(
      plugins.map((plugin, index) => capabilities.installMuPluginLoader(plugin, index)?.command),
    ).toEqual([undefined, 'wordpress.run-php', undefined])
  })

  it('turns a WP-CLI setup step written as a command line into argv', () => {
    const { capabilities } = playgroundRecipeBackend(spec({ schema }))
    expect(
      capabilities.step?.({ command: 'wordpress.wp-cli', args: ['command=option update ready yes'] }, 0),
    ).toEqual({ command: 'wordpress.wp-cli', args: { argv: ['option', 'update', 'ready', 'yes'] } })
  })

  it('never splices seed data into PHP source', () => {
    const { capabilities } = playgroundRecipeBackend(spec({ schema }))
    const [posts] = capabilities.seeds({ posts: [{ title: "'); system('id'); //" }] })
    expect(JSON.stringify(posts?.args)).not.toContain('system(')
  })
})
