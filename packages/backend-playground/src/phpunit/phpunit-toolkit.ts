import { stat } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { BackendPlaygroundError } from '../errors.js'
import { createResolverContext } from '../resources/resolver-context.js'
import { downloadPhpunitRelease } from './download-phpunit-release.js'
import { PHPUNIT_RELEASES, type PhpunitRelease, type PhpunitReleases } from './phpunit-releases.js'

/**
 * Where `wordpress.phpunit` finds what a WordPress plugin's PHPUnit suite needs, as host directories. Each field
 * that is not given is looked up in an environment variable, then in the codebox cache (see
 * {@link resolvePhpunitToolkit}). Default: all looked up.
 */
export const PhpunitToolkitOptionsSchema = z.strictObject({
  /**
   * PHPUnit 9.x (the series the WordPress test library supports): a Composer project or `vendor` directory holding
   * `vendor/autoload.php` (or `autoload.php`) with `phpunit/phpunit`, a PEAR-style tree holding
   * `PHPUnit/Autoload.php` (Debian's `phpunit` package installs one at `/usr/share/php`), or a directory holding
   * `phpunit.phar` (what `codebox cache add phpunit-9.6.N.phar` makes).
   */
  phpunit: z.string().min(1).optional(),
  /** The Yoast PHPUnit Polyfills: the directory holding `phpunitpolyfills-autoload.php`. */
  polyfills: z.string().min(1).optional(),
  /**
   * The WordPress test library matching the runtime's WordPress: wordpress-develop's `tests/phpunit` directory (or
   * the `wp-phpunit/wp-phpunit` package of the same version), holding `includes/bootstrap.php`.
   */
  testLibrary: z.string().min(1).optional(),
})
/** See {@link PhpunitToolkitOptionsSchema}. */
export type PhpunitToolkitOptions = z.infer<typeof PhpunitToolkitOptionsSchema>

/** A part of the PHPUnit toolkit. */
export type PhpunitComponent = keyof PhpunitToolkitOptions

/** One resolved part: its host directory, where it was found, and its autoloader relative to it. */
export interface ResolvedPhpunitComponent {
  readonly path: string
  /** `download` when codebox fetched the pinned release into the cache during this resolution. */
  readonly origin: 'option' | 'env' | 'cache' | 'download'
  /** The file to require, relative to `path`. */
  readonly entry: string
}

/** Everything `wordpress.phpunit` mounts into the runtime. */
export interface PhpunitToolkit {
  readonly phpunit: ResolvedPhpunitComponent & {
    /** PEAR-style trees load their parts through PHP's include_path, so `path` joins it. */
    readonly includePath: boolean
  }
  readonly polyfills: ResolvedPhpunitComponent
  readonly testLibrary: ResolvedPhpunitComponent
}

/** Environment variables read for a part that the options do not give (the test library ones are WordPress's own). */
export const PHPUNIT_TOOLKIT_ENV: Readonly<Record<PhpunitComponent, string>> = {
  phpunit: 'CODEBOX_PHPUNIT_PATH',
  polyfills: 'WP_TESTS_PHPUNIT_POLYFILLS_PATH',
  testLibrary: 'WP_TESTS_DIR',
}

/** What a directory must hold to be each part, in order of preference. */
export const PHPUNIT_ENTRIES: Readonly<Record<PhpunitComponent, readonly string[]>> = {
  phpunit: ['vendor/autoload.php', 'autoload.php', 'PHPUnit/Autoload.php', 'phpunit.phar'],
  polyfills: ['phpunitpolyfills-autoload.php'],
  testLibrary: ['includes/bootstrap.php'],
}

/** The cache directory of each part; the test library's depends on the WordPress version (`major.minor`). */
export function phpunitCachePath(cacheDir: string, component: PhpunitComponent, wordpress: string): string {
  if (component === 'testLibrary')
    return path.join(cacheDir, 'phpunit', 'wordpress-tests-lib', wordpressMajorMinor(wordpress))
  return path.join(cacheDir, 'phpunit', component === 'phpunit' ? 'phpunit' : 'phpunit-polyfills')
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  )
}

/** One place looked at for a part, and what was found there. */
export interface PhpunitLookup {
  readonly component: PhpunitComponent
  readonly place: 'option' | 'env' | 'cache' | 'download'
  readonly location: string
  readonly outcome: string
}

/** Options of {@link resolvePhpunitToolkit}. */
export interface ResolvePhpunitToolkitOptions {
  readonly options: PhpunitToolkitOptions
  readonly cacheDir: string
  /** The runtime's WordPress version (`6.5.5`); the test library must match its `major.minor`. */
  readonly wordpress: string
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Download a part that has a pinned release and is not found elsewhere. Default true unless `CODEBOX_OFFLINE=1`. */
  readonly download?: boolean | undefined
  readonly signal?: AbortSignal | undefined
  /** Limit for one download in ms. Default `15000` (as for every resource). */
  readonly downloadTimeoutMs?: number | undefined
  /** The fetch implementation. Default the global `fetch`. */
  readonly fetch?: typeof fetch | undefined
  /** The pinned releases. Default {@link PHPUNIT_RELEASES}; tests point them at a stand-in host. */
  readonly releases?: PhpunitReleases | undefined
}

/** The release a part would be downloaded from, or why there is none. */
function releaseOf(
  releases: PhpunitReleases,
  component: PhpunitComponent,
  wordpress: string,
): PhpunitRelease | string {
  if (component === 'phpunit')
    return 'no pinned download: codebox could not pin the official PHPUnit phar, so it is never downloaded'
  if (component === 'polyfills') return releases.polyfills
  const majorMinor = wordpressMajorMinor(wordpress)
  return (
    releases.testLibrary[majorMinor] ??
    `no pinned download: codebox pins test libraries for WordPress ${Object.keys(releases.testLibrary).join(', ')}, not ${majorMinor}`
  )
}

/**
 * Finds PHPUnit, the PHPUnit Polyfills and the WordPress test library: each from the backend's `phpunit` option,
 * else its environment variable ({@link PHPUNIT_TOOLKIT_ENV}), else the codebox cache (`<cacheDir>/phpunit/phpunit/`,
 * `<cacheDir>/phpunit/phpunit-polyfills/`, `<cacheDir>/phpunit/wordpress-tests-lib/<major.minor>/`), else — for the
 * polyfills and the test library — the pinned release ({@link PHPUNIT_RELEASES}), downloaded once, verified against
 * its pinned content digest and written to the cache atomically. PHPUnit is never downloaded (no release is pinned).
 * Downloads happen only when every missing part can be downloaded: fetching two parts for a run that still lacks
 * the third would be wasted. A place that is given but holds the wrong thing is an error of its own, never skipped for
 * the next place.
 *
 * @throws {BackendPlaygroundError} `PHPUNIT_UNAVAILABLE` naming every missing part, each place looked at (with the
 *   download's outcome: offline, HTTP error, no pinned release…), and how to provide it; `PHPUNIT_TOOLKIT_INVALID`
 *   when a given directory is not the part it should be; `RESOURCE_INTEGRITY_MISMATCH` when a download's content
 *   differs from its pin (nothing is cached); `OPERATION_ABORTED` when `signal` aborts.
 */
export async function resolvePhpunitToolkit(input: ResolvePhpunitToolkitOptions): Promise<PhpunitToolkit> {
  const env = input.env ?? process.env
  const releases = input.releases ?? PHPUNIT_RELEASES
  const looked: PhpunitLookup[] = []
  const found: Partial<Record<PhpunitComponent, ResolvedPhpunitComponent>> = {}
  for (const component of COMPONENTS) {
    const places = [
      { place: 'option' as const, location: input.options[component] },
      { place: 'env' as const, location: env[PHPUNIT_TOOLKIT_ENV[component]] || undefined },
      { place: 'cache' as const, location: phpunitCachePath(input.cacheDir, component, input.wordpress) },
    ]
    for (const { place, location } of places) {
      if (location === undefined) {
        looked.push({
          component,
          place,
          location: place === 'env' ? PHPUNIT_TOOLKIT_ENV[component] : '(none)',
          outcome: 'not set',
        })
        continue
      }
      const dir = path.resolve(location)
      const entry = await entryIn(dir, component)
      if (entry) {
        found[component] = { path: dir, origin: place, entry }
        break
      }
      const exists = await stat(dir).then(
        (info) => info.isDirectory(),
        () => false,
      )
      if (exists && place !== 'cache') {
        throw new BackendPlaygroundError(
          'PHPUNIT_TOOLKIT_INVALID',
          `${dir} (from ${place === 'option' ? `playground({ phpunit: { ${component} } })` : PHPUNIT_TOOLKIT_ENV[component]}) is not ${describe(component)}: it holds none of ${PHPUNIT_ENTRIES[component].join(', ')}.`,
          { details: { component, path: dir, expected: [...PHPUNIT_ENTRIES[component]] } },
        )
      }
      looked.push({ component, place, location: dir, outcome: exists ? 'no entry file' : 'not found' })
    }
  }
  let missing = COMPONENTS.filter((component) => !found[component])
  const pinned = new Map(
    missing.map((component) => [component, releaseOf(releases, component, input.wordpress)]),
  )
  const undownloadable = missing.filter((component) => typeof pinned.get(component) === 'string')
  const context = createResolverContext({
    cacheDir: input.cacheDir,
    env: env as NodeJS.ProcessEnv,
    ...(input.download === undefined ? {} : { download: input.download }),
    ...(input.fetch === undefined ? {} : { fetch: input.fetch }),
    ...(input.downloadTimeoutMs === undefined ? {} : { downloadTimeoutMs: input.downloadTimeoutMs }),
  })
  for (const component of missing) {
    const release = pinned.get(component) as PhpunitRelease | string
    if (typeof release === 'string') {
      looked.push({ component, place: 'download', location: '(none)', outcome: release })
      continue
    }
    const location = release.url
    if (undownloadable.length > 0) {
      looked.push({
        component,
        place: 'download',
        location,
        outcome: `not tried: ${undownloadable.join(', ')} cannot be downloaded, so the suite could not run anyway`,
      })
      continue
    }
    const target = phpunitCachePath(input.cacheDir, component, input.wordpress)
    const result = await downloadPhpunitRelease(context, release, {
      resource: `phpunit:${component}@${release.version}`,
      target,
      signal: input.signal,
      timeoutMs: input.downloadTimeoutMs,
    })
    const entry = result.ok ? await entryIn(target, component) : undefined
    if (entry) found[component] = { path: target, origin: 'download', entry }
    else
      looked.push({
        component,
        place: 'download',
        location,
        outcome: result.ok
          ? `the release holds none of ${PHPUNIT_ENTRIES[component].join(', ')}`
          : result.outcome,
      })
  }
  missing = COMPONENTS.filter((component) => !found[component])
  if (missing.length > 0) {
    const hints = missing.map((component) =>
      howToProvidePart(
        component,
        input,
        pinned.get(component),
        looked.find((lookup) => lookup.component === component && lookup.place === 'download')?.outcome,
      ),
    )
    throw new BackendPlaygroundError(
      'PHPUNIT_UNAVAILABLE',
      `wordpress.phpunit cannot run: missing ${missing.join(', ')}. ${hints.join(' ')}`,
      { details: { missing, looked: looked.filter((lookup) => missing.includes(lookup.component)) } },
    )
  }
  const phpunit = found.phpunit as ResolvedPhpunitComponent
  return {
    phpunit: { ...phpunit, includePath: phpunit.entry === 'PHPUnit/Autoload.php' },
    polyfills: found.polyfills as ResolvedPhpunitComponent,
    testLibrary: found.testLibrary as ResolvedPhpunitComponent,
  }
}

const COMPONENTS = ['phpunit', 'polyfills', 'testLibrary'] as const

/** The first of the part's entry files found in `dir`. */
async function entryIn(dir: string, component: PhpunitComponent): Promise<string | undefined> {
  for (const candidate of PHPUNIT_ENTRIES[component])
    if (await isFile(path.join(dir, candidate))) return candidate
  return undefined
}

/** `6.5` of `6.5.5` (and of `6.5`). */
export function wordpressMajorMinor(wordpress: string): string {
  const [major, minor] = wordpress.split('.')
  return `${major}.${minor ?? '0'}`
}

/** One sentence of `PHPUNIT_UNAVAILABLE`: every way to provide a missing part. */
function howToProvidePart(
  component: PhpunitComponent,
  input: ResolvePhpunitToolkitOptions,
  release: PhpunitRelease | string | undefined,
  downloadOutcome: string | undefined,
): string {
  const cachePath = phpunitCachePath(input.cacheDir, component, input.wordpress)
  const add =
    component === 'phpunit'
      ? '`codebox cache add /path/to/phpunit-9.6.N.phar` (from https://phar.phpunit.de/) or of a PHPUnit 9 tree'
      : component === 'polyfills'
        ? '`codebox cache add /path/to/PHPUnit-Polyfills-<version>.zip` (or its directory)'
        : `\`codebox cache add /path/to/wp-phpunit-<version>.zip --version ${wordpressMajorMinor(input.wordpress)}\` (or wordpress-develop's tests/phpunit directory)`
  const ways = [
    `seed the cache with ${add}, which fills ${cachePath}`,
    `pass playground({ phpunit: { ${component}: '/path' } })`,
    `set ${PHPUNIT_TOOLKIT_ENV[component]}`,
  ]
  if (typeof release === 'object')
    ways.push(`allow the pinned download of ${release.url} (unset CODEBOX_OFFLINE, or download: true)`)
  const why =
    typeof release === 'string' ? ` (${release})` : downloadOutcome ? ` (download: ${downloadOutcome})` : ''
  return `${describe(component)}${why}: ${ways.join('; or ')}.`
}

function describe(component: PhpunitComponent): string {
  if (component === 'phpunit')
    return 'PHPUnit 9 (a Composer vendor directory or a tree with PHPUnit/Autoload.php)'
  if (component === 'polyfills')
    return 'the Yoast PHPUnit Polyfills (the directory with phpunitpolyfills-autoload.php)'
  return "the WordPress test library of the runtime's WordPress version (wordpress-develop's tests/phpunit)"
}
