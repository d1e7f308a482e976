import { describe, expect, it } from 'vitest'
import { playground } from '../playground-backend.js'
import { SUPPORTED_PHP_VERSIONS } from '../playground-options.js'
import { compiledPhpModule, LOADABLE_PHP_VERSIONS } from './compiled-php-module.js'
import { PhpVersionUnsupportedError } from './php-module-errors.js'
import { PhpWorker } from './php-worker-client.js'

describe('an unsupported PHP version', () => {
  it('is a typed error listing the loadable versions from PhpWorker.start, before a thread starts', async () => {
    const error = await PhpWorker.start({ phpVersion: '9.9' }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(PhpVersionUnsupportedError)
    expect(error).toMatchObject({
      code: 'PHP_VERSION_UNSUPPORTED',
      details: { requested: '9.9', supported: [...LOADABLE_PHP_VERSIONS] },
    })
    expect((error as Error).message).toContain('8.3')
    expect(LOADABLE_PHP_VERSIONS).toEqual(expect.arrayContaining([...SUPPORTED_PHP_VERSIONS]))
  })

  it('is the same typed error from the host-side module compile (the legacy 5.2 build included)', () => {
    for (const version of ['5.2', 'next', '8']) {
      expect(() => compiledPhpModule(version)).toThrow(PhpVersionUnsupportedError)
    }
  })

  it('is refused by playground() options as a typed error naming $.php and the supported versions', () => {
    let caught: unknown
    try {
      playground({ php: '7.4' as '8.3' })
    } catch (error) {
      caught = error
    }
    expect(caught).toMatchObject({ code: 'PLAYGROUND_OPTIONS_INVALID' })
    expect((caught as Error).message).toContain('$.php')
    expect((caught as Error).message).toContain(SUPPORTED_PHP_VERSIONS.join(', '))
  })
})
