import { type NamedRecipeCommand, ValidationError, type ValidationIssue } from '@codebox/runtime-core'
import { parseArgsStringToArgv } from 'string-argv'
import { z } from 'zod'
import { DOCUMENT_ROOT } from '../commands/php-snippets.js'
import { mkdirProgram, seedOptionsProgram, writeFileProgram } from './recipe-php.js'

/** Blueprint steps the Playground recipe backend supports (all offline). */
export const SUPPORTED_BLUEPRINT_STEPS = [
  'defineWpConfigConsts',
  'setSiteOptions',
  'runPHP',
  'mkdir',
  'writeFile',
  'wp-cli',
  'activatePlugin',
] as const

/** Steps that fetch something and therefore need the network, with what to do instead. */
const NETWORK_STEPS: Readonly<Record<string, string>> = {
  installPlugin: 'declare the plugin in inputs.extra_plugins with a local source (or add it to the cache)',
  installTheme: 'mount the theme with inputs.mounts at /wordpress/wp-content/themes/<slug>',
  setSiteLanguage: 'language packs are downloaded; leave the site in English or mount the language files',
  importWxr: 'import content as inputs.siteSeeds instead',
  importThemeStarterContent: 'import content as inputs.siteSeeds instead',
  importWordPressFiles: 'choose the WordPress build with runtime.wp',
  unzip: 'mount the extracted directory with inputs.mounts',
  writeFiles: 'use writeFile with literal contents, or inputs.mounts',
  downloadWordPress: 'choose the WordPress build with runtime.wp',
}

const Progress = { progress: z.unknown().optional() }
const RuntimeFile = z
  .string()
  .refine(
    (path) =>
      (path.startsWith(`${DOCUMENT_ROOT}/`) || path.startsWith('/tmp/')) && !path.split('/').includes('..'),
    `must be an absolute path under ${DOCUMENT_ROOT}/ (or /tmp/) without ".." segments`,
  )
const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()])

const StepSchemas = {
  defineWpConfigConsts: z.strictObject({
    ...Progress,
    step: z.literal('defineWpConfigConsts'),
    consts: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a PHP constant name'), Scalar),
    method: z.enum(['define-before-run', 'rewrite-wp-config']).optional(),
    virtualize: z.boolean().optional(),
  }),
  setSiteOptions: z.strictObject({
    ...Progress,
    step: z.literal('setSiteOptions'),
    options: z.record(z.string().min(1), z.json()),
  }),
  runPHP: z.strictObject({ ...Progress, step: z.literal('runPHP'), code: z.string().min(1) }),
  mkdir: z.strictObject({ ...Progress, step: z.literal('mkdir'), path: RuntimeFile }),
  writeFile: z.strictObject({
    ...Progress,
    step: z.literal('writeFile'),
    path: RuntimeFile,
    data: z.union(
      [
        z.string(),
        z.strictObject({ resource: z.literal('literal'), name: z.string().optional(), contents: z.string() }),
      ],
      {
        error:
          'data must be a string or { "resource": "literal", "contents": "…" }; other resources are fetched over the network',
      },
    ),
  }),
  'wp-cli': z.strictObject({
    ...Progress,
    step: z.literal('wp-cli'),
    command: z.union([z.string().min(1), z.array(z.string()).min(1)]),
    wpCliPath: z.string().optional(),
  }),
  activatePlugin: z.strictObject({
    ...Progress,
    step: z.literal('activatePlugin'),
    pluginPath: z.string().min(1),
    pluginName: z.string().optional(),
  }),
} as const

/** A blueprint step translated: constants for boot, or a command to run after boot. */
export type TranslatedBlueprintStep =
  | {
      readonly kind: 'constants'
      readonly consts: Readonly<Record<string, string | number | boolean | null>>
    }
  | { readonly kind: 'command'; readonly command: NamedRecipeCommand }

/** Splits a WP-CLI command line into argv, dropping a leading `wp`. */
export function wpCliArgv(command: string | readonly string[]): string[] {
  const argv = typeof command === 'string' ? parseArgsStringToArgv(command) : [...command]
  return argv[0] === 'wp' ? argv.slice(1) : argv
}

function translate(step: Record<string, unknown>, name: string): TranslatedBlueprintStep {
  switch (step.step) {
    case 'defineWpConfigConsts':
      return { kind: 'constants', consts: StepSchemas.defineWpConfigConsts.parse(step).consts }
    case 'setSiteOptions': {
      const { options } = StepSchemas.setSiteOptions.parse(step)
      return {
        kind: 'command',
        command: { name, command: 'wordpress.run-php', args: { code: seedOptionsProgram(options) } },
      }
    }
    case 'runPHP': {
      const { code } = StepSchemas.runPHP.parse(step)
      return {
        kind: 'command',
        command: { name, command: 'wordpress.run-php', args: { code, bootstrap: 'none' } },
      }
    }
    case 'mkdir': {
      const { path } = StepSchemas.mkdir.parse(step)
      return {
        kind: 'command',
        command: {
          name,
          command: 'wordpress.run-php',
          args: { code: mkdirProgram({ path }), bootstrap: 'none' },
        },
      }
    }
    case 'writeFile': {
      const { path, data } = StepSchemas.writeFile.parse(step)
      const contents = typeof data === 'string' ? data : data.contents
      return {
        kind: 'command',
        command: {
          name,
          command: 'wordpress.run-php',
          args: { code: writeFileProgram({ path, contents }), bootstrap: 'none' },
        },
      }
    }
    case 'wp-cli': {
      const { command } = StepSchemas['wp-cli'].parse(step)
      return {
        kind: 'command',
        command: { name, command: 'wordpress.wp-cli', args: { argv: wpCliArgv(command) } },
      }
    }
    case 'activatePlugin': {
      const { pluginPath } = StepSchemas.activatePlugin.parse(step)
      const plugin = pluginPath.replace(`${DOCUMENT_ROOT}/wp-content/plugins/`, '').replace(/^\/+/, '')
      return { kind: 'command', command: { name, command: 'wordpress.plugin-activate', args: { plugin } } }
    }
    default:
      throw new Error('unreachable')
  }
}

/**
 * Translates blueprint steps into boot constants and codebox commands, in order. `root` is the recipe path of the
 * step list (`$.runtime.blueprint` or `$.runtime.blueprint.steps`).
 *
 * @throws ValidationError (`RECIPE_INVALID`) naming each step that needs the network, is outside the supported
 *   subset ({@link SUPPORTED_BLUEPRINT_STEPS}) or has invalid fields.
 */
export function translateBlueprint(
  steps: readonly Record<string, unknown>[],
  root: string,
): TranslatedBlueprintStep[] {
  const issues: ValidationIssue[] = []
  const out: TranslatedBlueprintStep[] = []
  steps.forEach((step, index) => {
    const path = `${root}[${index}]`
    const name = String(step.step)
    const network = NETWORK_STEPS[name]
    if (network !== undefined) {
      issues.push({
        path: `${path}.step`,
        message: `blueprint step "${name}" needs the network, which recipes run without; ${network}`,
      })
      return
    }
    if (!(SUPPORTED_BLUEPRINT_STEPS as readonly string[]).includes(name)) {
      issues.push({
        path: `${path}.step`,
        message: `blueprint step "${name}" is not in the supported offline subset: ${SUPPORTED_BLUEPRINT_STEPS.join(', ')}`,
      })
      return
    }
    const parsed = StepSchemas[name as keyof typeof StepSchemas].safeParse(step)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined]
        for (const key of keys) {
          const parts = [...issue.path, ...(key === undefined ? [] : [key])]
          issues.push({
            path: `${path}${parts.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}`,
            message: key === undefined ? issue.message : 'unknown field for this step',
          })
        }
      }
      return
    }
    out.push(translate(step, `blueprint[${index}]:${name}`))
  })
  if (issues.length > 0) throw new ValidationError('RECIPE_INVALID', 'recipe', issues)
  return out
}
