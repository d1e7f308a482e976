import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { type ConnectorDeclaration, resolveConnectorCredentials } from './connector-credentials.js'
import { parsePolicy } from './parse-policy.js'

/** Small deterministic PRNG (mulberry32) so a failing case can be reproduced from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// No quotes or backslashes, so a leak shows up verbatim in JSON, String() and inspect output alike.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~!@#$%^&*()+=:;,?/|'

function secretValue(next: () => number): string {
  const length = 12 + Math.floor(next() * 40)
  let value = 'sv'
  for (let i = 0; i < length; i++) value += ALPHABET[Math.floor(next() * ALPHABET.length)]
  return value
}

/** Every rendering of `thing` a log line, event or bundle could plausibly contain. */
function renderings(thing: unknown): string[] {
  const out = [
    JSON.stringify(thing) ?? '',
    String(thing),
    `${thing}`,
    inspect(thing),
    inspect(thing, { showHidden: true, depth: Number.POSITIVE_INFINITY, getters: true }),
  ]
  if (thing instanceof Error) out.push(thing.stack ?? '', thing.message, JSON.stringify(thing.cause ?? null))
  if (Array.isArray(thing)) for (const item of thing) out.push(...renderings(item))
  return out
}

function leaks(thing: unknown, values: readonly string[]): string[] {
  const text = renderings(thing).join('\n')
  return values.filter((value) => text.includes(value))
}

describe('secret values never leak', () => {
  it('the leak detector itself finds a value in a plain object, so the property below can fail', () => {
    expect(leaks({ value: 'sv-plain-visible' }, ['sv-plain-visible'])).toEqual(['sv-plain-visible'])
    expect(leaks(new Error('contains sv-in-message'), ['sv-in-message'])).toEqual(['sv-in-message'])
  })

  it('from any error, envelope, failure document or ResolvedSecret array, across 200 random scenarios', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = random(seed)
      const connectors: ConnectorDeclaration[] = []
      const env: Record<string, string> = {}
      const values: string[] = []
      const connectorCount = 1 + Math.floor(next() * 3)
      for (let c = 0; c < connectorCount; c++) {
        const secrets: string[] = []
        const secretCount = 1 + Math.floor(next() * 3)
        for (let s = 0; s < secretCount; s++) {
          const name = `S${seed}_C${c}_N${s}`
          secrets.push(name)
          // About one secret in five is left unset so that both success and failure paths are exercised.
          if (next() > 0.2) {
            const value = secretValue(next)
            env[name] = value
            values.push(value)
          }
        }
        connectors.push({ name: `conn-${c}`, secrets })
      }
      const policy = parsePolicy({ secrets: next() > 0.15 ? 'connector-scoped' : 'none' })
      const useProvider = next() > 0.5
      const throwingProvider = next() > 0.8
      const options = useProvider
        ? {
            policy,
            provider: (_connector: string, name: string) => {
              // A provider whose error message quotes the secret must not leak it either.
              if (throwingProvider && env[name] !== undefined) throw new Error(`cannot use ${env[name]}`)
              return env[name]
            },
          }
        : { policy, env }

      const observed: unknown[] = []
      try {
        const result = await resolveConnectorCredentials(connectors, options)
        observed.push(result.envelopes, result.secrets, result, ...result.secrets)
        // The values are really there for the runtime to use.
        expect(result.secrets.map((secret) => secret.value).sort()).toEqual([...values].sort())
        expect(result.secrets.map((secret) => ({ ...secret }))).not.toContainEqual(
          expect.objectContaining({ value: expect.anything() }),
        )
      } catch (error) {
        observed.push(
          error,
          (error as { document?: unknown }).document,
          (error as { toJSON(): unknown }).toJSON(),
        )
      }
      for (const thing of observed) {
        expect({ seed, leaked: leaks(thing, values) }).toEqual({ seed, leaked: [] })
      }
    }
  })
})
