import fc from 'fast-check'

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

/**
 * TEST-ONLY (not part of the package): inputs near a valid document: one or two of its fields replaced by any value (null-prototype objects,
 * boxed values, huge numbers, odd strings), or a wholly arbitrary value.
 */
export function nearJson(valid: unknown): fc.Arbitrary<unknown> {
  const anything = fc.anything({ withNullPrototype: true, withBoxedValues: true, withBigInt: true })
  return fc.oneof(
    fc.tuple(fc.nat(), anything).map(([pick, value]) => mutate(valid, pick, value)),
    fc
      .tuple(fc.nat(), anything, fc.nat(), anything)
      .map(([a, first, b, second]) => mutate(mutate(valid, a, first), b, second)),
    anything,
  )
}
