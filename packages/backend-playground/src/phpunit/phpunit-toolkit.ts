import { stat } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { BackendPlaygroundError } from '../errors.js'

/**
 * Where `wordpress.phpunit` finds what a WordPress plugin's PHPUnit suite needs, as host directories. Each field
 * that is not given is looked up in an environment variable, then in the codebox cache (see
 * {@link resolvePhpunitToolkit}). Default: all looked up.
 */
export const PhpunitToolkitOptionsSchema = z.strictObject({
  /**
   * PHPUnit 9.x (the series the WordPress test library supports): a Composer project or `vendor` directory holding
   * `vendor/autoload.php` (or `autoload.php`) with `phpunit/phpunit`, or a PEAR-style tree holding
   * `PHPUnit/Autoload.php` (Debian's `phpunit` package installs one at `/usr/share/php`).
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
  readonly origin: 'option' | 'env' | 'cache'
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
const ENTRIES: Readonly<Record<PhpunitComponent, readonly string[]>> = {
  phpunit: ['vendor/autoload.php', 'autoload.php', 'PHPUnit/Autoload.php'],
  polyfills: ['phpunitpolyfills-autoload.php'],
  testLibrary: ['includes/bootstrap.php'],
}

/** The cache directory of each part; the test library's depends on the WordPress version (`major.minor`). */
export function phpunitCachePath(cacheDir: string, component: PhpunitComponent, wordpress: string): string {
  const [major, minor] = wordpress.split('.')
  if (component === 'testLibrary')
    return path.join(cacheDir, 'phpunit', 'wordpress-tests-lib', `${major}.${minor ?? '0'}`)
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
  readonly place: 'option' | 'env' | 'cache'
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
}

/**
 * Finds PHPUnit, the PHPUnit Polyfills and the WordPress test library on the host: each from the backend's
 * `phpunit` option, else its environment variable ({@link PHPUNIT_TOOLKIT_ENV}), else the codebox cache
 * (`<cacheDir>/phpunit/phpunit/`, `<cacheDir>/phpunit/phpunit-polyfills/`,
 * `<cacheDir>/phpunit/wordpress-tests-lib/<major.minor>/`). Nothing is downloaded: none of the three has a release
 * whose SHA-256 codebox could pin here, so an explicit place is the only safe source. A place that is given but holds
 * the wrong thing is an error of its own, never skipped for the next place.
 *
 * @throws {BackendPlaygroundError} `PHPUNIT_UNAVAILABLE` naming every missing part, each place looked at, and how to
 *   provide it; `PHPUNIT_TOOLKIT_INVALID` when a given directory is not the part it should be.
 */
export async function resolvePhpunitToolkit(input: ResolvePhpunitToolkitOptions): Promise<PhpunitToolkit> {
  const env = input.env ?? process.env
  const looked: PhpunitLookup[] = []
  const found: Partial<Record<PhpunitComponent, ResolvedPhpunitComponent>> = {}
  for (const component of ['phpunit', 'polyfills', 'testLibrary'] as const) {
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
      let entry: string | undefined
      for (const candidate of ENTRIES[component])
        if (await isFile(path.join(dir, candidate))) {
          entry = candidate
          break
        }
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
          `${dir} (from ${place === 'option' ? `playground({ phpunit: { ${component} } })` : PHPUNIT_TOOLKIT_ENV[component]}) is not ${describe(component)}: it holds none of ${ENTRIES[component].join(', ')}.`,
          { details: { component, path: dir, expected: [...ENTRIES[component]] } },
        )
      }
      looked.push({ component, place, location: dir, outcome: exists ? 'no entry file' : 'not found' })
    }
  }
  const missing = (['phpunit', 'polyfills', 'testLibrary'] as const).filter((component) => !found[component])
  if (missing.length > 0) {
    const hints = missing.map(
      (component) =>
        `${describe(component)}: pass playground({ phpunit: { ${component}: '/path' } }), set ${PHPUNIT_TOOLKIT_ENV[component]}, or copy it to ${phpunitCachePath(input.cacheDir, component, input.wordpress)}`,
    )
    throw new BackendPlaygroundError(
      'PHPUNIT_UNAVAILABLE',
      `wordpress.phpunit cannot run: missing ${missing.join(', ')}. Provide ${hints.join('; ')}. Nothing is downloaded.`,
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

function describe(component: PhpunitComponent): string {
  if (component === 'phpunit')
    return 'PHPUnit 9 (a Composer vendor directory or a tree with PHPUnit/Autoload.php)'
  if (component === 'polyfills')
    return 'the Yoast PHPUnit Polyfills (the directory with phpunitpolyfills-autoload.php)'
  return "the WordPress test library of the runtime's WordPress version (wordpress-develop's tests/phpunit)"
}
