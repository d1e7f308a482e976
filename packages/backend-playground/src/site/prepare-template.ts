import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cp, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { unzipSync } from 'fflate'
import { BackendPlaygroundError } from '../errors.js'
import { PhpWorker } from '../worker/php-worker-client.js'

/** Options of {@link prepareWordPressTemplate}. */
export interface PrepareWordPressTemplateOptions {
  /** A `@wp-playground/wordpress-builds` zip (`wp-6.5.zip`): WordPress with an installed SQLite database. */
  readonly zipPath: string
  /** The `sqlite-database-integration.zip` from the same package. */
  readonly sqliteZipPath: string
  /** PHP version used to verify the site boots and is installed. Default `8.3`. */
  readonly phpVersion?: string
  /** Site URL used for the verification boot. Default `http://127.0.0.1`. */
  readonly siteUrl?: string
  /** Cache root (e.g. `$CODEBOX_CACHE_DIR`). Layers go to `<cacheDir>/layers`, templates to `<cacheDir>/sites`. */
  readonly cacheDir: string
  readonly signal?: AbortSignal
}

/** A prepared, verified WordPress site template on disk. Treat every directory as read-only. */
export interface WordPressTemplate {
  /** Site directory to pass as `wordpress.siteDir` to `PhpWorker.start`. */
  readonly siteDir: string
  /** `<cacheDir>/layers/core-<sha256>`: the extracted WordPress build, shared by every template using it. */
  readonly coreDir: string
  /** `<cacheDir>/layers/sqlite-<sha256>`: the extracted SQLite integration plugin. */
  readonly sqliteDir: string
  readonly coreSha256: string
  readonly sqliteSha256: string
  /** WordPress version from `wp-includes/version.php`. */
  readonly wordpressVersion: string
}

interface TemplateMarker {
  readonly format: number
  readonly wordpressVersion: string
  readonly verifiedWithPhp: string
}

const TEMPLATE_FORMAT = 2
const DATABASE_PATH = 'wp-content/database/.ht.sqlite'
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

/** Extracts zip bytes to `targetDir` atomically (temp dir + rename); a concurrent winner is reused. */
async function extractAtomically(
  zip: Uint8Array,
  targetDir: string,
  options: { stripFirstComponent: boolean },
): Promise<void> {
  if (existsSync(targetDir)) return
  await mkdir(path.dirname(targetDir), { recursive: true })
  const tmp = `${targetDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    const entries = unzipSync(zip)
    for (const [name, data] of Object.entries(entries)) {
      let rel = name
      if (options.stripFirstComponent) rel = rel.split('/').slice(1).join('/')
      if (rel === '') continue
      const target = path.join(tmp, safeRelative(rel))
      if (name.endsWith('/')) await mkdir(target, { recursive: true })
      else {
        await mkdir(path.dirname(target), { recursive: true })
        await writeFile(target, data)
      }
    }
    await mkdir(tmp, { recursive: true })
    try {
      await rename(tmp, targetDir)
    } catch (error) {
      // Another process finished the same layer first: theirs is identical (content-addressed).
      if (!existsSync(targetDir)) throw error
    }
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

/**
 * Builds the site layer: a directory whose `wp-admin`/`wp-includes` are symlinks into the core
 * layer and whose sqlite plugin is a symlink into the sqlite layer; everything mutable (wp-config,
 * wp-content with the database) is a real copy. Atomic like the layers.
 */
async function composeSite(siteDir: string, coreDir: string, sqliteDir: string): Promise<void> {
  if (existsSync(siteDir)) return
  await mkdir(path.dirname(siteDir), { recursive: true })
  const tmp = `${siteDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    await cp(coreDir, tmp, {
      recursive: true,
      filter: (source) => !SHARED_CORE_DIRS.some((dir) => source === path.join(coreDir, dir)),
    })
    for (const dir of SHARED_CORE_DIRS) await symlink(path.join(coreDir, dir), path.join(tmp, dir), 'dir')
    const pluginDir = path.join(tmp, 'wp-content/plugins/sqlite-database-integration')
    await symlink(sqliteDir, pluginDir, 'dir')
    const dropIn = (await readFile(path.join(sqliteDir, 'db.copy'), 'utf8'))
      .replace("'{SQLITE_IMPLEMENTATION_FOLDER_PATH}'", "__DIR__ . '/plugins/sqlite-database-integration'")
      .replaceAll('{SQLITE_PLUGIN}', 'sqlite-database-integration/load.php')
    await writeFile(path.join(tmp, 'wp-content/db.php'), dropIn)
    try {
      await rename(tmp, siteDir)
    } catch (error) {
      if (!existsSync(siteDir)) throw error
    }
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

/**
 * Extracts a WordPress build and the SQLite integration once into a content-addressed cache and
 * composes an installed site template from them, verified by booting it once in PHP.
 *
 * Layout: `<cacheDir>/layers/core-<sha256 of zip>/`, `<cacheDir>/layers/sqlite-<sha256>/` and
 * `<cacheDir>/sites/site-<sha256 of both + format>/` (with `codebox-template.json` once verified).
 * Every step is atomic, so concurrent callers and crashed runs never see a half-written directory.
 *
 * @throws {BackendPlaygroundError} `TEMPLATE_NOT_INSTALLED` when WordPress in the zip is not installed.
 */
export async function prepareWordPressTemplate(
  options: PrepareWordPressTemplateOptions,
): Promise<WordPressTemplate> {
  const [coreZip, sqliteZip] = await Promise.all([readFile(options.zipPath), readFile(options.sqliteZipPath)])
  options.signal?.throwIfAborted()
  const coreSha256 = sha256(coreZip)
  const sqliteSha256 = sha256(sqliteZip)
  const coreDir = path.join(options.cacheDir, 'layers', `core-${coreSha256}`)
  const sqliteDir = path.join(options.cacheDir, 'layers', `sqlite-${sqliteSha256}`)
  const siteKey = createHash('sha256')
    .update(`${coreSha256}:${sqliteSha256}:${TEMPLATE_FORMAT}`)
    .digest('hex')
  const siteDir = path.join(options.cacheDir, 'sites', `site-${siteKey}`)
  const markerPath = path.join(siteDir, 'codebox-template.json')

  await extractAtomically(coreZip, coreDir, { stripFirstComponent: false })
  await extractAtomically(sqliteZip, sqliteDir, { stripFirstComponent: true })
  options.signal?.throwIfAborted()
  await composeSite(siteDir, coreDir, sqliteDir)

  if (existsSync(markerPath)) {
    const marker = JSON.parse(await readFile(markerPath, 'utf8')) as TemplateMarker
    return {
      siteDir,
      coreDir,
      sqliteDir,
      coreSha256,
      sqliteSha256,
      wordpressVersion: marker.wordpressVersion,
    }
  }

  const phpVersion = options.phpVersion ?? '8.3'
  const php = await PhpWorker.start(
    {
      phpVersion,
      wordpress: { siteDir, layout: 'nodefs-core', siteUrl: options.siteUrl ?? 'http://127.0.0.1' },
    },
    { signal: options.signal },
  )
  try {
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
    // Persist what the one-time setup changed: the database is the only file it writes.
    const database = await php.readFile(`/wordpress/${DATABASE_PATH}`)
    const tmpDatabase = `${path.join(siteDir, DATABASE_PATH)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    await writeFile(tmpDatabase, database)
    await rename(tmpDatabase, path.join(siteDir, DATABASE_PATH))
    const marker: TemplateMarker = {
      format: TEMPLATE_FORMAT,
      wordpressVersion: parsed.version,
      verifiedWithPhp: phpVersion,
    }
    const tmpMarker = `${markerPath}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    await writeFile(tmpMarker, JSON.stringify(marker, null, 2))
    await rename(tmpMarker, markerPath)
    return { siteDir, coreDir, sqliteDir, coreSha256, sqliteSha256, wordpressVersion: parsed.version }
  } finally {
    await php.terminate()
  }
}
