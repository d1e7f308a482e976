import { runtimeRegistry } from '@codebox/runtime-core'
import { expect } from 'vitest'
import type { WordPressRuntime } from '../../src/index.js'
import { wordpressTest as test } from '../../src/index.js'

let kept: WordPressRuntime | undefined

test.beforeAll(async ({ wordpressSite }) => {
  kept = await wordpressSite.fork()
})

test('runs next to a runtime the file never destroys', async ({ wordpress }) => {
  const result = await wordpress.execute({
    command: 'wordpress.run-php',
    args: { code: '<?php echo PHP_VERSION;' },
    timeoutMs: 300_000,
  })
  expect(result.stdout).toMatch(/^8\.3\./)
  expect(runtimeRegistry.liveIds().sort()).toEqual([wordpress.id, kept?.id].sort())
})
