/**
 * `createRuntime({ deterministic })` in runtime-core, on the TEST-ONLY in-memory reference backend (no PHP: what is
 * checked here is runtime-core's own part — option validation, the capability check and seed-derived ids; the
 * sandbox side is test/playground/determinism.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { createRuntime } from '../src/create-runtime.js'
import { isCodeboxError, ValidationError } from '../src/errors.js'
import { parseRecipe } from '../src/recipe/recipe-schema.js'
import { inMemoryReferenceBackend } from './in-memory-reference-backend.js'

const policy = { commands: { allow: ['memory.*'] } }
/** The reference backend, declaring that it seeds its sandbox (it has no clock or entropy of its own to seed). */
const deterministicBackend = () => ({ ...inMemoryReferenceBackend(), deterministic: true })

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error,
  )
}

describe('the deterministic option', () => {
  it('is refused with DETERMINISM_UNSUPPORTED by a backend that does not declare support', async () => {
    const error = await rejection(
      createRuntime({ backend: inMemoryReferenceBackend(), policy, deterministic: { seed: 1 } }),
    )
    expect(isCodeboxError(error) && error.code).toBe('DETERMINISM_UNSUPPORTED')
    expect((error as Error).message).toContain('in-memory-reference')
  })

  it.each([
    [{ seed: -1 }, '$.deterministic.seed', 'must be 0 or more'],
    [{ seed: 1.5 }, '$.deterministic.seed', 'whole number'],
    [{ seed: 2 ** 32 }, '$.deterministic.seed', 'at most 4294967295'],
    [{ seed: 1, clock: '2026-01-01 00:00' }, '$.deterministic.clock', 'with a zone'],
    [{ seed: 1, clock: 'tomorrow' }, '$.deterministic.clock', 'ISO 8601'],
    [{ seed: 1, clocks: 'x' }, '$.deterministic', 'clocks'],
  ])('names the field of a bad value %j', async (deterministic, path, message) => {
    const error = await rejection(
      createRuntime({ backend: deterministicBackend(), policy, deterministic: deterministic as never }),
    )
    expect(error).toBeInstanceOf(ValidationError)
    const issues = (error as ValidationError).issues
    expect(issues.some((issue) => issue.path.startsWith(path))).toBe(true)
    expect(JSON.stringify(issues)).toContain(message)
  })

  it('derives runtime and command ids from the seed, and tells two live runtimes with one seed apart', async () => {
    const ids = async (seed: number) => {
      await using runtime = await createRuntime({
        backend: deterministicBackend(),
        policy,
        deterministic: { seed },
      })
      await runtime.execute({ command: 'memory.echo', args: { text: 'a' } })
      await runtime.execute({ command: 'memory.echo', args: { text: 'b' } })
      return { id: runtime.id, commands: runtime.history.map((record) => record.id) }
    }
    const first = await ids(7)
    expect(await ids(7)).toEqual(first)
    expect((await ids(8)).id).not.toBe(first.id)
    expect(new Set(first.commands).size).toBe(2)

    await using one = await createRuntime({
      backend: deterministicBackend(),
      policy,
      deterministic: { seed: 7 },
    })
    await using two = await createRuntime({
      backend: deterministicBackend(),
      policy,
      deterministic: { seed: 7 },
    })
    expect(one.id).toBe(first.id)
    expect(two.id).toBe(`${first.id}_2`)
  })

  it('is accepted in a recipe as runtime.deterministic', () => {
    const recipe = parseRecipe({
      schema: 'wp-codebox/workspace-recipe/v1',
      runtime: { deterministic: { clock: '2026-01-01T00:00:00Z', seed: 42 } },
    })
    expect(recipe.runtime?.deterministic).toEqual({ clock: '2026-01-01T00:00:00Z', seed: 42 })
  })
})
