import { createHash } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { cp, lstat } from 'node:fs/promises'
import path from 'node:path'
import { DOCUMENT_ROOT, parseProgramOutput, pluginActivateProgram } from '../commands/php-snippets.js'
import { BackendPlaygroundError } from '../errors.js'
import { pluginLabel } from '../resources/artifact-checks.js'
import type { ResolvedPlugin } from '../resources/index.js'
import { walkTree } from '../resources/resource-digest.js'
import { SharedWork } from '../shared-work.js'
import { PhpWorker } from '../worker/php-worker-client.js'
import type { PhpWorkerOptions } from '../worker/php-worker-options.js'
import { publishDir } from './atomic-fs.js'
import {
  type PrepareWordPressTemplateOptions,
  persistSiteLayer,
  prepareWordPressTemplate,
  type WordPressTemplate,
} from './prepare-template.js'

/** Bump when the layout or the activation procedure of derived site templates changes. */
const SITE_TEMPLATE_FORMAT = 1

/** Site template builds in flight in this process, by directory. */
const siteTemplateBuilds = new SharedWork<boolean>()

/** Options of {@link prepareSiteTemplate}. */
export interface PrepareSiteTemplateOptions {
  /** The installed WordPress template (core + SQLite) the site template derives from. */
  readonly base: WordPressTemplate
  /** PHP version the installer-side work (plugin activation) runs on; part of the key. */
  readonly phpVersion: string
  /** Site URL WordPress believes it is served at; part of the key. */
  readonly siteUrl: string
  /** wp-config constants (configuration only, never secrets); part of the key. */
  readonly constants: Readonly<Record<string, string | number | boolean | null>>
  /** Resolved plugins of the runtime; those with `activate` (not mu-plugins) are activated in the template. */
  readonly plugins: readonly ResolvedPlugin[]
  /** Cache root; derived templates go to `<cacheDir>/sites/tpl-<key>/`. */
  readonly cacheDir: string
  readonly signal?: AbortSignal
}

/** A site layer ready to boot: a cached copy of the base template with plugins activated and first-request work done. */
export interface SiteTemplate {
  /** Directory to boot the worker from (`wordpress.siteDir`). */
  readonly siteDir: string
  /** Content key of the template: `sha256:<hex>` of (base, PHP, plugin set with activation, configuration). */
  readonly key: string
  /** Slugs of the plugins that are already active in this template. */
  readonly activated: ReadonlySet<string>
  /** Whether this call built the template (the installer-side work ran) rather than finding it cached. */
  readonly built: boolean
  /** Whether this call waited for a build a concurrent call in this process started (then `built` is false). */
  readonly joined: boolean
}

/** Where a plugin is mounted in the PHP filesystem. */
export function pluginVfsPath(plugin: Pick<ResolvedPlugin, 'slug' | 'loadAs'>): string {
  return `${DOCUMENT_ROOT}/wp-content/${plugin.loadAs === 'mu-plugin' ? 'mu-plugins' : 'plugins'}/${plugin.slug}`
}

function sortedRecord<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** The plugins a template activates: normal plugins with `activate`, in the order given. */
function pluginsToActivate(plugins: readonly ResolvedPlugin[]): ResolvedPlugin[] {
  return plugins.filter((plugin) => plugin.activate && plugin.loadAs !== 'mu-plugin')
}

/** The template key: everything that can change what the installer-side work writes. */
export function siteTemplateKey(options: Omit<PrepareSiteTemplateOptions, 'cacheDir' | 'signal'>): string {
  const identity = {
    format: SITE_TEMPLATE_FORMAT,
    base: path.basename(options.base.siteDir),
    core: options.base.coreSha256,
    sqlite: options.base.sqliteSha256,
    php: options.phpVersion,
    siteUrl: options.siteUrl,
    constants: sortedRecord(options.constants),
    plugins: options.plugins.map((plugin) => ({
      slug: plugin.slug,
      sha256: plugin.sha256,
      loadAs: plugin.loadAs,
      pluginFile: plugin.pluginFile,
      activate: plugin.activate && plugin.loadAs !== 'mu-plugin',
    })),
  }
  return `sha256:${createHash('sha256').update(JSON.stringify(identity)).digest('hex')}`
}

/**
 * Returns the site layer to boot for a runtime: a template derived from the installed base template in which the
 * plugins were activated and a first request was served once, keyed by (core, SQLite, PHP,
 * plugin set with hashes and activation, constants, site URL). The first call for a key boots PHP, activates the
 * plugins and stores the resulting site layer atomically (temp dir + rename); calls made meanwhile in this process
 * wait for that build (`built: false`), and every later call, in any process, finds it and runs no PHP at all.
 *
 * @throws {BackendPlaygroundError} `PLUGIN_ACTIVATION_FAILED` when a plugin does not activate.
 */
export async function prepareSiteTemplate(options: PrepareSiteTemplateOptions): Promise<SiteTemplate> {
  const activate = pluginsToActivate(options.plugins)
  const key = siteTemplateKey(options)
  const activated = new Set(activate.map((plugin) => plugin.slug))
  const siteDir = path.join(
    options.cacheDir,
    'sites',
    `tpl-${key.slice('sha256:'.length, 'sha256:'.length + 40)}`,
  )
  if (existsSync(siteDir)) return { siteDir, key, activated, built: false, joined: false }
  // Concurrent creates of one template in this process share one build; each waits with its own signal, and the
  // build stops only when none waits any more. Symlinks into the shared layers stay symlinks; the mutable files
  // (wp-config, wp-content) are copied. When another process builds the same template first, theirs has the same
  // key and is used instead.
  const { value: published, via } = await siteTemplateBuilds.run(
    siteDir,
    (signal) =>
      publishDir(siteDir, async (tmp) => {
        // Timestamps kept: core's root files must stay old enough for OPcache to cache them on a first request.
        await cp(options.base.siteDir, tmp, {
          recursive: true,
          verbatimSymlinks: true,
          preserveTimestamps: true,
        })
        await buildInto(tmp, activate, { ...options, signal })
      }),
    { signal: options.signal },
  )
  return { siteDir, key, activated, built: published && via === 'started', joined: via === 'joined' }
}

/**
 * Boots PHP on `siteDir`, activates the plugins, serves one warm-up request (so the lazy one-time work of a fresh
 * site, such as rebuilding rewrite rules and plugin upgrade routines, is done here and not in every runtime's first
 * request) and writes every site-layer file that changed back to disk.
 */
async function buildInto(
  siteDir: string,
  activate: readonly ResolvedPlugin[],
  options: PrepareSiteTemplateOptions,
): Promise<void> {
  const workerOptions: PhpWorkerOptions = {
    phpVersion: options.phpVersion,
    cacheDir: options.cacheDir,
    network: 'deny',
    constants: options.constants,
    wordpress: { siteDir, siteUrl: options.siteUrl },
    mounts: options.plugins.map((plugin) => ({
      hostPath: plugin.path,
      vfsPath: pluginVfsPath(plugin),
      readOnly: true,
    })),
  }
  const worker = await PhpWorker.start(workerOptions, { signal: options.signal, timeoutMs: 120_000 })
  try {
    for (const plugin of activate) {
      const result = await worker.run(
        { code: pluginActivateProgram({ plugin: plugin.pluginFile ?? plugin.slug }) },
        { signal: options.signal, timeoutMs: 120_000 },
      )
      const parsed = parseProgramOutput(result.stdout)
      if (result.exitCode !== 0 || !parsed || parsed.error !== undefined) {
        const fatal = result.errors.find((entry) => entry.level === 'fatal' || entry.level === 'parse')
        throw new BackendPlaygroundError(
          'PLUGIN_ACTIVATION_FAILED',
          `Plugin ${pluginLabel(plugin)} failed to activate: ${parsed?.error ?? fatal?.message ?? result.stdout.slice(0, 500)}`,
          { details: { plugin: plugin.slug } },
        )
      }
    }
    const warmUp = await worker.request({ url: '/wp-json/' }, { signal: options.signal, timeoutMs: 120_000 })
    if (warmUp.status >= 500) {
      throw new BackendPlaygroundError(
        'TEMPLATE_NOT_INSTALLED',
        `The site template answered its warm-up request with HTTP ${warmUp.status}`,
        { details: { status: warmUp.status, errors: warmUp.errors.map((entry) => entry.raw).slice(0, 10) } },
      )
    }
    await persistSiteLayer(worker, siteDir, options.signal)
  } finally {
    await worker.terminate()
  }
}

/** Prepared WordPress templates of this process, by source stamps and cache: kept once built or verified. */
const wordpressTemplates = new SharedWork<WordPressTemplate>({ keep: true })

/**
 * A cheap change detector for a template source: size and mtime of a zip, or of every file in a directory (a
 * directory's own mtime does not change when a file deep inside it is edited). The content hash is taken only when
 * this changes.
 */
async function sourceStamp(file: string): Promise<string> {
  const stats = statSync(file)
  if (!stats.isDirectory()) return `${file}:${stats.size}:${stats.mtimeMs}`
  const items = await walkTree(file)
  const parts = await Promise.all(
    items.map(async (item) => {
      const entry = await lstat(item.absolute)
      return `${item.relative}:${entry.size}:${entry.mtimeMs}`
    }),
  )
  return `${file}:${createHash('sha256').update(parts.join('\n')).digest('hex')}`
}

/**
 * {@link prepareWordPressTemplate} once per process for the same sources and cache (it reads and hashes the
 * WordPress zip or directory on every call); re-prepared when the template directory disappeared or a source
 * changed. Concurrent calls share one preparation, each waiting with its own `signal`. Only the call that ran the
 * preparation can report `built: true`.
 */
export async function prepareWordPressTemplateOnce(
  options: PrepareWordPressTemplateOptions,
): Promise<WordPressTemplate & { readonly joined: boolean }> {
  const key = `${await sourceStamp(options.zipPath)}|${await sourceStamp(options.sqliteZipPath)}|${options.cacheDir}`
  const kept = wordpressTemplates.peek(key)
  if (kept && !existsSync(kept.siteDir)) wordpressTemplates.forget(key)
  const { value, via } = await wordpressTemplates.run(
    key,
    (signal) => prepareWordPressTemplate({ ...options, signal }),
    { signal: options.signal },
  )
  return { ...value, built: via === 'started' && value.built, joined: via === 'joined' }
}

/** How many creates in this process wait for a WordPress template being prepared (for tests). */
export function wordpressTemplateWaiters(): number {
  return wordpressTemplates.waiters
}

/** Recovery points of fresh runtimes, by boot key: the same for every runtime booted the same way. */
const recoveryPoints = new SharedWork<Uint8Array>({ keep: true })

/**
 * The snapshot of a runtime that has just booted and changed nothing: the same for every runtime booted the same way
 * (`key`: the template's site directory and whatever else makes the boot state differ), so it is encoded once per
 * process (by the first caller, from its worker) and shared.
 * A caller whose `signal` fires stops waiting; the others go on, and if the first caller's worker went with its
 * abort, the next waiter encodes it from its own.
 */
export async function bootRecoveryPoint(
  key: string,
  encode: (signal: AbortSignal) => Promise<Uint8Array>,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  return (await recoveryPoints.run(key, encode, { signal })).value
}
