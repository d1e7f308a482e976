import { playground, SUPPORTED_PHP_VERSIONS } from '@codebox/backend-playground'
import { createRuntime } from '@codebox/runtime-core'
import { describe, expect, it } from 'vitest'

describe('supported PHP versions', () => {
  for (const php of SUPPORTED_PHP_VERSIONS) {
    it(`boots WordPress and serves a REST request on PHP ${php}`, async () => {
      await using runtime = await createRuntime({
        backend: playground({ php }),
        policy: { commands: { allow: ['wordpress.*'] } },
      })
      const version = await runtime.execute({
        command: 'wordpress.run-php',
        args: { code: '<?php echo PHP_VERSION, "|", get_bloginfo("version");' },
      })
      expect(version.status).toBe('ok')
      expect(version.stdout).toMatch(new RegExp(`^${php.replace('.', '\\.')}\\.\\d+\\|6\\.5\\.\\d+$`))
      const rest = await runtime.execute({
        command: 'wordpress.rest-request',
        args: { route: '/wp/v2/types/post' },
      })
      expect(rest.status === 'ok' && rest.value.status).toBe(200)
    }, 90_000)
  }
})
