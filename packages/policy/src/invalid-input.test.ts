/**
 * Property tests (seeded, bounded): whatever a caller passes as a policy or an approved-plugins manifest, parsing
 * gives the effective value or one `PolicyValidationError` whose issues each have a JSON path and a message; never
 * another exception.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseApprovedPluginManifest } from './approved-plugins.js'
import { PolicyValidationError } from './errors.js'
import { parsePolicy } from './parse-policy.js'

const RUNS = { seed: 0x9011c1, numRuns: 300 } as const

/** A plain or null-prototype object (not a boxed primitive, a date or another class). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** Every path into a JSON value (objects and arrays), root included. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at]
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) out.push(...paths(item, [...at, index]))
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...at, key]))
  }
  return out
}

/** `valid` with the value at one of its paths replaced (or removed, for `undefined`). */
function mutate(valid: unknown, pick: number, replacement: unknown): unknown {
  const all = paths(valid)
  const path = all[pick % all.length] as (string | number)[]
  if (path.length === 0) return replacement
  const copy = structuredClone(valid) as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  const last = path[path.length - 1] as string | number
  if (replacement === undefined) delete parent[last]
  else parent[last] = replacement
  return copy
}

/** Inputs near `valid`: one field replaced by anything, or a wholly arbitrary value. */
const near = (valid: unknown) =>
  fc.oneof(
    fc
      .tuple(fc.nat(), fc.anything({ withNullPrototype: true, withBoxedValues: true }))
      .map(([pick, value]) => mutate(valid, pick, value)),
    fc.anything(),
  )

function typedOrValue(parse: () => unknown): void {
  try {
    parse()
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyValidationError)
    const issues = (error as PolicyValidationError).issues
    expect(issues.length).toBeGreaterThan(0)
    for (const issue of issues) {
      expect(issue.path).toMatch(/^\$/)
      expect(issue.message.length).toBeGreaterThan(0)
    }
    expect(() => JSON.stringify(error)).not.toThrow()
  }
}

describe('invalid input', () => {
  it('a policy gives the effective policy or one typed error naming each field', () => {
    const valid = {
      commands: { allow: ['wordpress.*', 'wordpress.run-php'] },
      network: { allowHosts: ['api.example.com:443', '*.example.org'] },
      filesystem: { mounts: [{ path: '/srv/data', modes: ['readonly', 'readwrite'] }] },
      secrets: 'connector-scoped',
      approvals: { mode: 'on-command', commands: ['wordpress.option-set'] },
    }
    expect(() => parsePolicy(valid)).not.toThrow()
    fc.assert(
      fc.property(near(valid), (input) => typedOrValue(() => parsePolicy(input))),
      RUNS,
    )
  })

  it('an approved-plugins manifest gives the manifest or one typed error naming each field', () => {
    const valid = {
      schema: 'codebox/approved-plugins/v1',
      plugins: [
        { slug: 'wp-graphql', version: '2.5.3', sha256: 'a'.repeat(64) },
        { slug: 'dev', sha256: 'b'.repeat(64) },
      ],
    }
    expect(() => parseApprovedPluginManifest(valid)).not.toThrow()
    fc.assert(
      fc.property(near(valid), (input) => typedOrValue(() => parseApprovedPluginManifest(input))),
      RUNS,
    )
  })
})
