/**
 * Property tests (seeded, bounded) over what callers hand runtime-core: recipes, createRuntime options and command
 * arguments. Each gives a value or one typed error (`ValidationError` with a JSON path per issue, or another
 * codebox error with a stable code); never another exception. Runtimes that do get created are destroyed.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRuntime } from '../src/create-runtime.js'
import { isCodeboxError, ValidationError } from '../src/errors.js'
import { parseRecipe, RECIPE_SCHEMA_ID } from '../src/recipe/recipe-schema.js'
import { inMemoryReferenceBackend } from './in-memory-reference-backend.js'
import { nearJson } from './near-json.js'

const RUNS = { seed: 0xc0deb0c5, numRuns: 200 } as const

function expectTyped(error: unknown, code: string): void {
  if (!(error instanceof ValidationError)) {
    // Not a validation error: it must still be a codebox error, and one the caller can act on.
    expect(isCodeboxError(error), String(error)).toBe(true)
    return
  }
  expect(error.code).toBe(code)
  expect(error.issues.length).toBeGreaterThan(0)
  for (const issue of error.issues) expect(issue.path).toMatch(/^\$/)
  expect(() => JSON.stringify(error)).not.toThrow()
}

const validRecipe = {
  schema: RECIPE_SCHEMA_ID,
  label: 'corpus',
  runtime: {
    backend: 'playground',
    wp: '6.5',
    phpVersion: '8.3',
    blueprint: [{ step: 'mkdir', path: '/wordpress/x' }],
  },
  inputs: {
    mounts: [{ source: './fixtures', target: '/wordpress/wp-content/fixtures', mode: 'readonly' }],
    extra_plugins: [{ source: './plugins/a', slug: 'a', pluginFile: 'a/a.php' }],
    pluginRuntime: {
      setup: [{ command: 'wordpress.option-set', args: ['name=a', 'value=b'] }],
      healthProbes: [{ name: 'p', type: 'php', code: 'echo 1;', stdoutContains: '1' }],
    },
  },
  workflow: { steps: [{ command: 'wordpress.run-php', args: { code: '<?php echo 1;' } }] },
  artifacts: { directory: './artifacts', format: 'tar.gz' },
}

describe('invalid input', () => {
  it('a recipe gives the validated recipe or RECIPE_INVALID naming each field', () => {
    expect(() => parseRecipe(validRecipe)).not.toThrow()
    fc.assert(
      fc.property(nearJson(validRecipe), (input) => {
        try {
          parseRecipe(input)
        } catch (error) {
          expectTyped(error, 'RECIPE_INVALID')
        }
      }),
      RUNS,
    )
  })

  it('createRuntime options give a runtime or RUNTIME_OPTIONS_INVALID (or another typed error) before anything boots', async () => {
    const valid = {
      policy: { commands: { allow: ['memory.*'] } },
      metadata: { run: 'corpus' },
      timeoutMs: 30_000,
      cleanupOnExit: false,
    }
    await fc.assert(
      fc.asyncProperty(nearJson(valid), async (options) => {
        const merged =
          options !== null && typeof options === 'object'
            ? { ...(options as object), backend: inMemoryReferenceBackend() }
            : options
        const runtime = await createRuntime(merged as never).catch((error: unknown) => {
          expectTyped(error, 'RUNTIME_OPTIONS_INVALID')
          return undefined
        })
        await runtime?.destroy()
      }),
      { ...RUNS, numRuns: 100 },
    )
  })

  it('command arguments, as objects or key=value strings, give a result or COMMAND_INVALID_ARGS', async () => {
    await using runtime = await createRuntime({
      backend: inMemoryReferenceBackend(),
      policy: { commands: { allow: ['memory.*'] } },
      cleanupOnExit: false,
    })
    const args = fc.oneof(
      nearJson({ key: 'k', value: 'v' }),
      fc.array(
        fc.oneof(fc.string(), fc.constantFrom('key=k', 'value=v', '=x', 'a..b=1', 'key=', 'value=a=b')),
      ),
    )
    const command = fc.constantFrom('memory.set', 'memory.echo', 'memory.fail', 'memory.get')
    await fc.assert(
      fc.asyncProperty(command, args, async (name, input) => {
        const result = await runtime
          .execute({ command: name, args: input as never, timeoutMs: 5_000 })
          .catch((error: unknown) => {
            expectTyped(error, 'COMMAND_INVALID_ARGS')
            return undefined
          })
        if (result) expect(['ok', 'failed']).toContain(result.status)
      }),
      RUNS,
    )
    expect(runtime.state).toBe('ready')
  })
})
