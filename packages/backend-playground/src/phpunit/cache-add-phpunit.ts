import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { checkPin } from '../resources/artifact-checks.js'
import { isPhar } from '../resources/phar-file.js'
import type { ResolverContext } from '../resources/resolver-context.js'
import { writeDirectoryAtomic } from '../resources/resource-cache.js'
import { filesDigest, sha256Digest, walkTree } from '../resources/resource-digest.js'
import { ResourceSpecError, ResourceVersionMismatchError } from '../resources/resource-errors.js'
import type { CacheAddOptions, ResolvedResource } from '../resources/resource-resolver.js'
import { readPluginZip } from '../resources/zip-archive.js'
import { type PhpunitComponent, phpunitCachePath, wordpressMajorMinor } from './phpunit-toolkit.js'

/** A toolkit part found where `cacheAdd` was pointed, with its files as they will be cached. */
interface FoundPart {
  readonly component: PhpunitComponent
  readonly files: ReadonlyMap<string, Uint8Array>
  /** The digest `options.sha256` is checked against: the phar's SHA-256, else the files' treeDigest. */
  readonly sha256: string
  /** The version the part declares, if it does. */
  readonly declared: string | undefined
}

const SLUGS: Readonly<Record<PhpunitComponent, string>> = {
  phpunit: 'phpunit',
  polyfills: 'phpunit-polyfills',
  testLibrary: 'wordpress-tests-lib',
}

const decoder = new TextDecoder()
const text = (bytes: Uint8Array | undefined): string => (bytes === undefined ? '' : decoder.decode(bytes))

const isTestLibrary = (files: ReadonlyMap<string, Uint8Array>): boolean =>
  ['includes/bootstrap.php', 'includes/install.php', 'includes/factory.php'].every((file) => files.has(file))

/** `9.6.7` from PHPUnit's `Runner/Version.php` or a phar stub's `phpunit-9.6.7.phar`. */
function phpunitVersion(source: string): string | undefined {
  return (/new VersionId\('([0-9][^']*)'/.exec(source) ??
    /phpunit-([0-9]+\.[0-9]+\.[0-9]+)\.phar/.exec(source))?.[1]
}

/** Every file under `dir` (symlinks followed), except top-level directories named in `skip`. */
async function readTree(dir: string, skip: readonly string[] = []): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>()
  for (const item of await walkTree(dir)) {
    if (skip.includes(item.relative.split('/')[0] as string)) continue
    const info = await stat(item.absolute).catch(() => undefined)
    if (info?.isFile()) files.set(item.relative, await readFile(item.absolute))
  }
  return files
}

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  )

/** Recognises a PHPUnit phar, a PHPUnit 9 tree, a polyfills zip or directory, or a test library zip or directory. */
async function findPart(location: string, isDirectory: boolean): Promise<FoundPart | undefined> {
  if (!isDirectory) {
    const bytes = await readFile(location)
    if (location.endsWith('.phar')) {
      const stub = text(bytes.subarray(0, 64 * 1024))
      if (!isPhar(bytes) || !stub.includes('__PHPUNIT_PHAR__')) return undefined
      return {
        component: 'phpunit',
        files: new Map([['phpunit.phar', bytes]]),
        sha256: sha256Digest(bytes),
        declared: phpunitVersion(stub),
      }
    }
    if (!location.endsWith('.zip')) return undefined
    const files = readPluginZip(bytes, location).files
    return fromFiles(files)
  }
  if (await exists(path.join(location, 'PHPUnit', 'Autoload.php'))) {
    const files = await readTree(location)
    const version = phpunitVersion(text(files.get('PHPUnit/Runner/Version.php')))
    return { component: 'phpunit', files, sha256: filesDigest(files), declared: version }
  }
  if (
    (await exists(path.join(location, 'autoload.php'))) &&
    (await exists(path.join(location, 'phpunit', 'phpunit', 'src', 'Runner', 'Version.php')))
  ) {
    const files = await readTree(location)
    const version = phpunitVersion(text(files.get('phpunit/phpunit/src/Runner/Version.php')))
    return { component: 'phpunit', files, sha256: filesDigest(files), declared: version }
  }
  const marker =
    (await exists(path.join(location, 'phpunitpolyfills-autoload.php'))) ||
    (await exists(path.join(location, 'includes', 'bootstrap.php')))
  // wordpress-develop's tests/phpunit also holds core's own test cases (tests/), which a plugin's suite never needs.
  return marker ? fromFiles(await readTree(location, ['tests'])) : undefined
}

function fromFiles(files: ReadonlyMap<string, Uint8Array>): FoundPart | undefined {
  const sha256 = filesDigest(files)
  const polyfills = files.get('phpunitpolyfills-autoload.php')
  if (polyfills !== undefined) {
    const declared = /const VERSION = '([^']+)'/.exec(text(polyfills))?.[1]
    return { component: 'polyfills', files, sha256, declared }
  }
  if (isTestLibrary(files)) return { component: 'testLibrary', files, sha256, declared: undefined }
  return undefined
}

/**
 * The PHPUnit half of `cacheAdd`: when `location` is a part of `wordpress.phpunit`'s toolkit — a PHPUnit 9 phar
 * (`phpunit-9.6.N.phar`), a PHPUnit 9 tree (PEAR-style with `PHPUnit/Autoload.php`, or a Composer `vendor`
 * directory), the Yoast PHPUnit Polyfills (GitHub tag zip or directory), or the WordPress test library (a
 * `wp-phpunit` tag zip or directory, or wordpress-develop's `tests/phpunit`; `options.version` says which WordPress
 * it belongs to) — copies it into the cache place {@link resolvePhpunitToolkit} reads, atomically, replacing what was
 * there. Returns `undefined` for anything else, so `cacheAdd` goes on with plugins and WordPress.
 *
 * @throws {@link ResourceSpecError} naming `$.version` when a test library comes without a WordPress version, or
 *   `$.source` when the PHPUnit is not 9.x; {@link ResourceVersionMismatchError} when `options.version` differs from
 *   the version the part declares; `RESOURCE_INTEGRITY_MISMATCH` when `options.sha256` is given and differs.
 */
export async function cacheAddPhpunitPart(
  context: ResolverContext,
  location: string,
  isDirectory: boolean,
  options: CacheAddOptions & { readonly pin?: string | undefined },
): Promise<ResolvedResource | undefined> {
  const found = await findPart(location, isDirectory)
  if (found === undefined) return undefined
  const { component } = found
  const resource = `phpunit:${component}@${options.version ?? found.declared ?? 'unknown'}`
  let version = found.declared
  if (component === 'testLibrary') {
    if (options.version === undefined || !/^[0-9]+\.[0-9]+(\.[0-9]+)?$/.test(options.version)) {
      throw new ResourceSpecError('cacheAdd options', [
        {
          path: '$.version',
          message:
            `${location} is a WordPress test library, which is cached per WordPress version; ` +
            `pass the WordPress version it belongs to, like { version: '6.5' } (\`--version 6.5\`)` +
            (options.version === undefined ? '' : `, not ${JSON.stringify(options.version)}`),
        },
      ])
    }
    version = wordpressMajorMinor(options.version)
  } else if (
    options.version !== undefined &&
    found.declared !== undefined &&
    options.version !== found.declared
  ) {
    throw new ResourceVersionMismatchError(resource, options.version, found.declared, location)
  }
  if (component === 'phpunit' && version !== undefined && !version.startsWith('9.')) {
    throw new ResourceSpecError('cacheAdd options', [
      {
        path: '$.source',
        message: `${location} is PHPUnit ${version}; wordpress.phpunit needs PHPUnit 9 (the series the WordPress test library supports): add phpunit-9.6.N.phar`,
      },
    ])
  }
  checkPin(resource, options.pin, found.sha256, location)
  const target = phpunitCachePath(context.cacheDir, component, version ?? '0.0')
  await writeDirectoryAtomic(target, found.files, { existing: 'replace', signal: options.signal })
  return {
    kind: 'phpunit',
    slug: SLUGS[component],
    version: version ?? options.version,
    sha256: found.sha256,
    origin: 'cache',
    source: location,
    path: target,
    activate: false,
    loadAs: 'plugin',
  }
}
