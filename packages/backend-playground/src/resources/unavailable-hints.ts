/**
 * The "how to provide it" lines of a `ResourceUnavailableError`: every way to make `slug` resolvable without
 * guessing, so an offline user learns the fix from the message alone.
 */
export function howToProvide(
  cacheDir: string,
  kind: 'plugin' | 'tool',
  slug: string,
  version: string | undefined,
  url: string,
): string[] {
  const file = kind === 'plugin' ? `${slug}${version === undefined ? '' : `.${version}`}.zip` : 'wp-cli.phar'
  return [
    `seed the cache once: \`codebox cache add /path/to/${file}\` or \`resolver.cacheAdd('/path/to/${file}')\`` +
      (kind === 'plugin' ? ' (a zip or an unpacked plugin directory)' : ''),
    `or pass a local copy: { slug: '${slug}', source: '/path/to/${file}' }`,
    `or set CODEBOX_CACHE_DIR to a cache that already holds it (now ${cacheDir})`,
    `or allow network access to ${url} (unset CODEBOX_OFFLINE, pass download: true)`,
  ]
}
