import { defineWordPressFixture, type WordPressTestAPI } from './define-wordpress-fixture.js'

/**
 * A vitest `test` with the `wordpress` fixture on the default site: WordPress 6.5 on PHP 8.3, no plugins, the
 * `wordpress.*` commands allowed. Use {@link defineWordPressFixture} for plugins, mounts, a policy or setup.
 *
 * @example
 * import { wordpressTest as test } from '@codebox/vitest'
 * import { expect } from 'vitest'
 *
 * test('runs PHP in WordPress', async ({ wordpress }) => {
 *   const result = await wordpress.execute({ command: 'wordpress.run-php', args: { code: '<?php echo 1 + 1;' } })
 *   expect(result.stdout).toBe('2')
 * })
 */
export const wordpressTest: WordPressTestAPI = defineWordPressFixture()
