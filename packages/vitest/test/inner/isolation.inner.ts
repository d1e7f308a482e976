import { runtimeRegistry } from '@codebox/runtime-core'
import { describe, expect } from 'vitest'
import { defineWordPressFixture, type WordPressRuntime } from '../../src/index.js'

// Generous, so a heavily loaded machine slows these tests down without failing them (the one that times out on
// purpose has its own short test timeout).
const timeoutMs = 300_000

const test = defineWordPressFixture({
  setup: async (wordpress) => {
    await wordpress.execute({
      command: 'wordpress.option-set',
      args: { name: 'prepared_by', value: 'setup' },
      throwOnFailure: true,
      timeoutMs,
    })
  },
  connectors: [{ name: 'crm', secrets: ['CRM_TOKEN'] }],
  env: { CRM_TOKEN: process.env.CODEBOX_INNER_SECRET },
})

async function getOption(wordpress: WordPressRuntime, name: string): Promise<unknown> {
  const result = await wordpress.execute({
    command: 'wordpress.option-get',
    args: { name },
    throwOnFailure: true,
    timeoutMs,
  })
  return result.status === 'ok' && result.value.exists ? result.value.value : undefined
}

describe('one fork per test', () => {
  test.beforeAll(async ({ wordpressSite }) => {
    expect(wordpressSite.snapshot.bytes.byteLength).toBeGreaterThan(0)
  })

  test('writes an option', async ({ wordpress }) => {
    expect(await getOption(wordpress, 'prepared_by')).toBe('setup')
    await wordpress.execute({
      command: 'wordpress.option-set',
      args: { name: 'written_by_a_test', value: 'first' },
      throwOnFailure: true,
      timeoutMs,
    })
    expect(await getOption(wordpress, 'written_by_a_test')).toBe('first')
  })

  test('does not see the previous test write', async ({ wordpress }) => {
    expect(await getOption(wordpress, 'prepared_by')).toBe('setup')
    expect(await getOption(wordpress, 'written_by_a_test')).toBeUndefined()
  })

  test('fails after a PHP warning and a command that printed the secret', async ({ wordpress }) => {
    await wordpress.execute({
      command: 'wordpress.run-php',
      args: {
        code: '<?php trigger_error("codebox inner warning", E_USER_WARNING); echo "token=" . CRM_TOKEN;',
      },
      timeoutMs,
    })
    expect('the greeting the plugin printed').toBe('a different greeting')
  })

  test('times out while PHP runs', { timeout: 5_000 }, async ({ wordpress }) => {
    await wordpress.execute({
      command: 'wordpress.run-php',
      args: { code: '<?php while (true) {}' },
      timeoutMs: 600_000,
    })
  })

  test('leaks a runtime', async ({ wordpressSite }) => {
    await wordpressSite.fork()
  })

  test('starts with only its own runtime live after a timeout and a leak', async ({ wordpress }) => {
    expect(runtimeRegistry.liveIds()).toEqual([wordpress.id])
    expect(await getOption(wordpress, 'prepared_by')).toBe('setup')
  })
})
