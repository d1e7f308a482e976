// The quickstart of packages/vitest/README.md, as written there: the default site, no configuration.
import { wordpressTest as test } from '@codebox/vitest'
import { expect } from 'vitest'

test('runs PHP inside WordPress', async ({ wordpress }) => {
  const result = await wordpress.execute({
    command: 'wordpress.run-php',
    args: { code: '<?php echo get_bloginfo("version");' },
    timeoutMs: 300_000, // not in the README: a loaded CI machine slows WordPress down
  })
  expect(result.stdout).toMatch(/^6\.5/)
})
