import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cp, mkdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { unzipSync } from 'fflate'
import { DOCUMENT_ROOT } from '../commands/php-snippets.js'
import { BackendPlaygroundError } from '../errors.js'
import { PhpWorker } from '../worker/php-worker-client.js'
import { publishDir, writeFileAtomic } from './atomic-fs.js'
import { installWordPress, wordpressConfigFile } from './install-wordpress.js'
import { inspectWordPressSource, type WordPressSource } from './wordpress-source.js'

/** Options of {@link prepareWordPressTemplate}. */
export interface PrepareWordPressTemplateOptions {
  /**
   * The WordPress to prepare: a `@wp-playground/wordpress-builds` zip (`wp-6.5.zip`, installed on SQLite, only
   * verified here), or a wordpress.org release zip or a directory holding an unpacked release (installed here, once
   * per template).
   */
  readonly zipPath: string
  /** The `sqlite-database-integration.zip` from the same package. */
  readonly sqliteZipPath: string
  /** PHP version used to install or verify the site. Default `8.3`. */
  readonly phpVersion?: string
  /** Site URL used for the verification boot of a build (a release is always installed at `http://127.0.0.1`). Default `http://127.0.0.1`. */
  readonly siteUrl?: string
  /** Cache root (e.g. `$CODEBOX_CACHE_DIR`). Layers go to `<cacheDir>/layers`, templates to `<cacheDir>/sites`. */
  readonly cacheDir: string
  readonly signal?: AbortSignal
}

/** A prepared, verified WordPress site template on disk. Treat every directory as read-only. */
export interface WordPressTemplate {
  /** Site directory to pass as `wordpress.siteDir` to `PhpWorker.start`. */
  readonly siteDir: string
  /** `<cacheDir>/layers/core-<sha256>`: the extracted WordPress, shared by every template using it. */
  readonly coreDir: string
  /** `<cacheDir>/layers/sqlite-<sha256>`: the extracted SQLite integration plugin. */
  readonly sqliteDir: string
  readonly coreSha256: string
  readonly sqliteSha256: string
  /** WordPress version from `wp-includes/version.php`. */
  readonly wordpressVersion: string
  /** Whether this call ran PHP to install or verify the template; false when it was found ready on disk. */
  readonly built: boolean
}

interface TemplateMarker {
  readonly format: number
  readonly wordpressVersion: string
  readonly verifiedWithPhp: string
  /** `release` when codebox ran the installer; absent for build zips (installed upstream). */
  readonly installedFrom?: 'release'
}

const TEMPLATE_FORMAT = 2
/** Bump when the installation of release templates (wp-config, installer, options set after it) changes. */
const RELEASE_TEMPLATE_FORMAT = 1
/** The URL a release is installed at; runtimes override it with `WP_HOME`/`WP_SITEURL`, so it is not in the key. */
const INSTALL_SITE_URL = 'http://127.0.0.1'
/** Parts of the site that stay symlinks into the shared layers (never copied per template). */
const SHARED_CORE_DIRS = ['wp-admin', 'wp-includes'] as const

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function safeRelative(entry: string): string {
  const normalized = path.posix.normalize(entry)
  if (normalized.startsWith('../') || normalized === '..' || path.posix.isAbsolute(normalized)) {
    throw new BackendPlaygroundError(
      'TEMPLATE_ZIP_UNSAFE_PATH',
      `Zip entry escapes the target directory: ${entry}`,
      {
        details: { entry },
      },
    )
  }
  return normalized
}

/**
 * The mtime of every file extracted into an immutable layer. A layer's content is fixed by its digest, so its files
 * carry one old, fixed time (as content-addressed stores do) rather than the moment they were unpacked: OPcache
 * refuses to cache a script changed in the last `opcache.file_update_protection` seconds, and a runtime created
 * right after its template was built would otherwise compile WordPress core on every request.
 */
export const LAYER_FILE_MTIME = new Date(Date.UTC(2000, 0, 1))

/** Where a zip entry goes relative to the target directory; `undefined` leaves it out. */
type EntryPlacement = (name: string) => string | undefined

const stripFirstComponent: EntryPlacement = (name) => name.split('/').slice(1).join('/')

/** Extracts zip bytes to `targetDir` atomically (temp dir + rename); a concurrent winner is reused. */
async function extractAtomically(zip: Uint8Array, targetDir: string, place: EntryPlacement): Promise<void> {
  await publishDir(targetDir, async (tmp) => {
    const entries = unzipSync(zip, { filter: (file) => Boolean(place(file.name)) })
    for (const [name, data] of Object.entries(entries)) {
      const rel = place(name)
      if (!rel) continue
      const target = path.join(tmp, safeRelative(rel))
      if (name.endsWith('/')) await mkdir(target, { recursive: true })
      else {
        await mkdir(path.dirname(target), { recursive: true })
        await writeFile(target, data)
        await utimes(target, LAYER_FILE_MTIME, LAYER_FILE_MTIME)
      }
    }
    await mkdir(tmp, { recursive: true })
  })
}

/** Copies a directory to `targetDir` atomically, symlinks kept as they are (the tree digest counts their targets). */
async function copyAtomically(sourceDir: string, targetDir: string): Promise<void> {
  await publishDir(targetDir, (tmp) =>
    cp(sourceDir, tmp, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true }),
  )
}

/** Puts the WordPress of `source` into its content-addressed core layer. */
async function materializeCore(source: WordPressSource, coreDir: string): Promise<void> {
  switch (source.kind) {
    case 'build-zip':
      return extractAtomically(source.bytes, coreDir, (name) => name)
    case 'release-zip':
      return extractAtomically(source.bytes, coreDir, (name) =>
        name.startsWith(source.root) ? name.slice(source.root.length) : undefined,
      )
    case 'release-dir':
      return copyAtomically(source.path, coreDir)
  }
}

/**
 * Builds the site layer: a directory whose `wp-admin`/`wp-includes` are symlinks into the core
 * layer and whose sqlite plugin is a symlink into the sqlite layer; everything mutable (wp-config,
 * wp-content with the database) is a real copy. Atomic like the layers.
 */
async function composeSite(
  siteDir: string,
  coreDir: string,
  sqliteDir: string,
  options: { readonly wpConfig?: string },
): Promise<void> {
  await publishDir(siteDir, async (tmp) => {
    await cp(coreDir, tmp, {
      recursive: true,
      // The site's copies of core's root files (wp-settings.php, wp-load.php, …) keep the layer's old mtimes.
      preserveTimestamps: true,
      filter: (source) => !SHARED_CORE_DIRS.some((dir) => source === path.join(coreDir, dir)),
    })
    for (const dir of SHARED_CORE_DIRS) await symlink(path.join(coreDir, dir), path.join(tmp, dir), 'dir')
    const pluginDir = path.join(tmp, 'wp-content/plugins/sqlite-database-integration')
    // A release directory may carry its own copy of the plugin; the pinned one from the layer wins.
    await rm(pluginDir, { recursive: true, force: true })
    await mkdir(path.dirname(pluginDir), { recursive: true })
    await symlink(sqliteDir, pluginDir, 'dir')
    const dropIn = (await readFile(path.join(sqliteDir, 'db.copy'), 'utf8'))
      .replace("'{SQLITE_IMPLEMENTATION_FOLDER_PATH}'", "__DIR__ . '/plugins/sqlite-database-integration'")
      .replaceAll('{SQLITE_PLUGIN}', 'sqlite-database-integration/load.php')
    await writeFile(path.join(tmp, 'wp-content/db.php'), dropIn)
    await utimes(path.join(tmp, 'wp-content/db.php'), LAYER_FILE_MTIME, LAYER_FILE_MTIME)
    if (options.wpConfig !== undefined) {
      await writeFile(path.join(tmp, 'wp-config.php'), options.wpConfig)
      await utimes(path.join(tmp, 'wp-config.php'), LAYER_FILE_MTIME, LAYER_FILE_MTIME)
    }
  })
}

/**
 * Writes every file of the worker's site layer (not the read-only core and plugin mounts) that differs from
 * `siteDir` back to it, each through a temp file and a rename.
 */
export async function persistSiteLayer(php: PhpWorker, siteDir: string, signal?: AbortSignal): Promise<void> {
  const exported = await php.exportDir(DOCUMENT_ROOT, { skipMounts: true, ...(signal ? { signal } : {}) })
  for (const file of exported) {
    const target = path.join(siteDir, ...file.path.split('/'))
    const current = existsSync(target) ? new Uint8Array(await readFile(target)) : undefined
    if (current && Buffer.compare(current, file.bytes) === 0) continue
    await writeFileAtomic(target, file.bytes)
  }
}

/** Boots a build's site once: checks it is installed and turns on pretty permalinks. Returns the version. */
async function verifyBuild(
  php: PhpWorker,
  options: PrepareWordPressTemplateOptions,
): Promise<{ wordpressVersion: string }> {
  const check = await php.run(
    {
      // Pretty permalinks make /wp-json/ and /graphql routable; rewrite rules regenerate lazily.
      code: `<?php require '/wordpress/wp-load.php';
          if (is_blog_installed() && get_option('permalink_structure') === '') {
            update_option('permalink_structure', '/%postname%/');
            delete_option('rewrite_rules');
          }
          echo json_encode(['installed' => is_blog_installed(), 'version' => get_bloginfo('version'), 'db' => get_class($GLOBALS['wpdb'])]);`,
    },
    { signal: options.signal, timeoutMs: 60_000 },
  )
  let parsed: { installed?: boolean; version?: string; db?: string } = {}
  try {
    parsed = JSON.parse(check.stdout) as typeof parsed
  } catch {
    // Reported below with the PHP output.
  }
  if (!parsed.installed || !parsed.version) {
    throw new BackendPlaygroundError(
      'TEMPLATE_NOT_INSTALLED',
      'WordPress in the build zip is not installed',
      {
        details: {
          zipPath: options.zipPath,
          exitCode: check.exitCode,
          output: check.stdout.slice(0, 2000),
          errors: check.errors.map((entry) => entry.raw).slice(0, 10),
        },
      },
    )
  }
  return { wordpressVersion: parsed.version }
}

/**
 * Extracts a WordPress and the SQLite integration once into a content-addressed cache and composes an installed
 * site template from them. A Playground build zip comes installed and is verified by booting it once; a
 * wordpress.org release (zip or directory) gets a wp-config.php and the SQLite drop-in and is installed once, in
 * PHP, with pretty permalinks. Later calls for the same content find the template on disk and run no PHP.
 *
 * Layout: `<cacheDir>/layers/core-<sha256 of the zip, or tree digest of the directory>/`,
 * `<cacheDir>/layers/sqlite-<sha256>/` and `<cacheDir>/sites/site-<sha256 of both + kind + format>/` (with
 * `codebox-template.json` once installed or verified). Every step is atomic, so concurrent callers and crashed runs
 * never see a half-written directory.
 *
 * @throws {BackendPlaygroundError} `WORDPRESS_RELEASE_INVALID` when the path holds neither a release nor a build,
 *   `TEMPLATE_NOT_INSTALLED` when WordPress in a build zip is not installed, `WORDPRESS_INSTALL_FAILED` when the
 *   installer fails on a release.
 */
export async function prepareWordPressTemplate(
  options: PrepareWordPressTemplateOptions,
): Promise<WordPressTemplate> {
  const [source, sqliteZip] = await Promise.all([
    inspectWordPressSource(options.zipPath, options.signal ? { signal: options.signal } : {}),
    readFile(options.sqliteZipPath),
  ])
  options.signal?.throwIfAborted()
  const release = source.kind !== 'build-zip'
  const coreSha256 = source.sha256
  const sqliteSha256 = sha256(sqliteZip)
  const coreDir = path.join(options.cacheDir, 'layers', `core-${coreSha256}`)
  const sqliteDir = path.join(options.cacheDir, 'layers', `sqlite-${sqliteSha256}`)
  const siteKey = createHash('sha256')
    .update(
      release
        ? `release:${coreSha256}:${sqliteSha256}:${RELEASE_TEMPLATE_FORMAT}`
        : `${coreSha256}:${sqliteSha256}:${TEMPLATE_FORMAT}`,
    )
    .digest('hex')
  const siteDir = path.join(options.cacheDir, 'sites', `site-${siteKey}`)
  const markerPath = path.join(siteDir, 'codebox-template.json')
  const template = { siteDir, coreDir, sqliteDir, coreSha256, sqliteSha256 }

  await materializeCore(source, coreDir)
  await extractAtomically(sqliteZip, sqliteDir, stripFirstComponent)
  options.signal?.throwIfAborted()
  await composeSite(siteDir, coreDir, sqliteDir, release ? { wpConfig: wordpressConfigFile() } : {})

  if (existsSync(markerPath)) {
    const marker = JSON.parse(await readFile(markerPath, 'utf8')) as TemplateMarker
    return { ...template, wordpressVersion: marker.wordpressVersion, built: false }
  }

  const phpVersion = options.phpVersion ?? '8.3'
  const php = await PhpWorker.start(
    {
      phpVersion,
      cacheDir: options.cacheDir,
      wordpress: {
        siteDir,
        layout: 'nodefs-core',
        siteUrl: release ? INSTALL_SITE_URL : (options.siteUrl ?? 'http://127.0.0.1'),
      },
    },
    { signal: options.signal },
  )
  try {
    const { wordpressVersion } = release
      ? await installWordPress(php, {
          source: options.zipPath,
          ...(options.signal ? { signal: options.signal } : {}),
        })
      : await verifyBuild(php, options)
    // Persist what the one-time setup changed: the database, and what the installer created next to it.
    await persistSiteLayer(php, siteDir, options.signal)
    const marker: TemplateMarker = {
      format: release ? RELEASE_TEMPLATE_FORMAT : TEMPLATE_FORMAT,
      wordpressVersion,
      verifiedWithPhp: phpVersion,
      ...(release ? { installedFrom: 'release' as const } : {}),
    }
    await writeFileAtomic(markerPath, JSON.stringify(marker, null, 2))
    return { ...template, wordpressVersion, built: true }
  } finally {
    await php.terminate()
  }
}
