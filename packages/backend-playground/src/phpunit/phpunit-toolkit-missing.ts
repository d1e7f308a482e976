import { isCodeboxError } from '@codebox/runtime-core'
import { defaultCacheDir } from '../playground-backend.js'
import { DEFAULT_WORDPRESS_VERSION } from '../playground-options.js'
import { type PhpunitToolkitOptions, resolvePhpunitToolkit } from './phpunit-toolkit.js'

/**
 * Why `wordpress.phpunit` cannot run on this machine — what is missing and how to provide it (the message of
 * `PHPUNIT_UNAVAILABLE`) — or undefined when its toolkit resolves. It resolves as `wordpress.phpunit` does, so a
 * part with a pinned release may be downloaded into the cache here (pass `download: false` to only look). Made for skipping a PHPUnit suite with the reason:
 *
 * @example
 * const missing = await phpunitToolkitMissing()
 * test.skipIf(missing)(`runs the plugin's PHPUnit suite${missing ? ` (skipped: ${missing})` : ''}`, …)
 *
 * @throws the `PHPUNIT_TOOLKIT_INVALID` of a place that is given but holds the wrong thing: a broken setup is not a
 *   reason to skip.
 */
export async function phpunitToolkitMissing(
  input: {
    /** The WordPress version whose test library is needed. Default `6.5` (the backend's default). */
    readonly wordpress?: string
    /** Default the backend's cache directory. */
    readonly cacheDir?: string
    /** The backend's `phpunit` option, if given. */
    readonly options?: PhpunitToolkitOptions
    /** Default `process.env`. */
    readonly env?: Readonly<Record<string, string | undefined>>
    /**
     * Whether a missing part with a pinned release may be downloaded into the cache, as `wordpress.phpunit` would.
     * Default true unless `CODEBOX_OFFLINE=1`.
     */
    readonly download?: boolean
    readonly signal?: AbortSignal
  } = {},
): Promise<string | undefined> {
  try {
    await resolvePhpunitToolkit({
      options: input.options ?? {},
      cacheDir: input.cacheDir ?? defaultCacheDir(),
      wordpress: input.wordpress ?? DEFAULT_WORDPRESS_VERSION,
      ...(input.env ? { env: input.env } : {}),
      download: input.download,
      signal: input.signal,
    })
    return undefined
  } catch (error) {
    if (isCodeboxError(error) && error.code === 'PHPUNIT_UNAVAILABLE') return error.message
    throw error
  }
}
