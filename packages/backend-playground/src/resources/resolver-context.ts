import path from 'node:path'
import { type ApprovedPluginManifest, parseApprovedPluginManifest } from '@codebox/policy'
import { defaultCacheDir } from './resource-cache.js'

/** Default base URL of WordPress.org plugin zips (`<base><slug>.<version>.zip`). */
export const WORDPRESS_ORG_PLUGINS_URL = 'https://downloads.wordpress.org/plugin/'
/** Default WP-CLI phar URL template; `{version}` is replaced. */
export const WP_CLI_RELEASE_URL =
  'https://github.com/wp-cli/wp-cli/releases/download/v{version}/wp-cli-{version}.phar'

/** Default WordPress release zip URL template; `{version}` is replaced and `.sha1` appended for its checksum. */
export const WORDPRESS_RELEASE_URL = 'https://wordpress.org/wordpress-{version}.zip'

/** Options of {@link createResourceResolver}. */
export interface ResourceResolverOptions {
  /** Cache root. Default `$CODEBOX_CACHE_DIR`, else `~/.cache/codebox`. */
  readonly cacheDir?: string
  /** Allow downloads from the official sources. Default `true`, unless `CODEBOX_OFFLINE=1`. */
  readonly download?: boolean
  /**
   * Limit for one whole download in ms. Default `15000`. There are no retries: a refused connection or a failed DNS
   * lookup ends the attempt at once.
   */
  readonly downloadTimeoutMs?: number
  /** Largest accepted download in bytes. Default 256 MiB. */
  readonly maxDownloadBytes?: number
  /** The fetch implementation. Default the global `fetch`. */
  readonly fetch?: typeof fetch
  /** Where downloads come from. */
  readonly sources?: {
    /** Base URL of plugin zips. Default {@link WORDPRESS_ORG_PLUGINS_URL}. */
    readonly wordpressOrgPlugins?: string
    /** WP-CLI phar URL with `{version}` placeholders. Default {@link WP_CLI_RELEASE_URL}. */
    readonly wpCli?: string
    /**
     * WordPress release zip URL with `{version}` placeholders; `<url>.sha1` must give its published SHA-1.
     * Default {@link WORDPRESS_RELEASE_URL}.
     */
    readonly wordpressReleases?: string
  }
  /** When given, every resolved plugin must be listed with its exact version and zip hash. Default: none. */
  readonly approvedPlugins?: ApprovedPluginManifest
  /** Lock file of first-seen hashes. Default `<cacheDir>/codebox.lock.json`. */
  readonly lockFile?: string
  /** Environment read for `CODEBOX_CACHE_DIR` and `CODEBOX_OFFLINE`. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv
}

/**
 * The resolver's options with every default applied, read once by `createResourceResolver` and shared by the
 * plugin, tool and cache operations so they all agree on where the cache is and whether the network may be used.
 */
export interface ResolverContext {
  readonly cacheDir: string
  readonly lockFile: string
  readonly downloadsAllowed: boolean
  /** The `looked` outcome recorded when a download was skipped because downloads are disabled. */
  readonly downloadDisabledReason: string
  readonly downloadTimeoutMs: number
  readonly maxDownloadBytes: number
  /** Base URL of plugin zips. */
  readonly pluginsBase: string
  /** WP-CLI phar URL with `{version}` placeholders. */
  readonly wpCliTemplate: string
  /** WordPress release zip URL with `{version}` placeholders. */
  readonly wordpressReleaseTemplate: string
  /** The parsed approved-plugins manifest, or `undefined` when every plugin is allowed. */
  readonly manifest: ApprovedPluginManifest | undefined
  /** The injected fetch; `undefined` means the global `fetch`. */
  readonly fetchImpl: typeof fetch | undefined
}

/** Applies the defaults of {@link ResourceResolverOptions}; throws when `approvedPlugins` is not a valid manifest. */
export function createResolverContext(options: ResourceResolverOptions): ResolverContext {
  const env = options.env ?? process.env
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir(env))
  const offlineByEnv = env.CODEBOX_OFFLINE === '1'
  return {
    cacheDir,
    lockFile: path.resolve(options.lockFile ?? path.join(cacheDir, 'codebox.lock.json')),
    downloadsAllowed: options.download ?? !offlineByEnv,
    downloadDisabledReason:
      options.download === false
        ? 'downloads disabled (download: false)'
        : 'downloads disabled (CODEBOX_OFFLINE=1)',
    downloadTimeoutMs: options.downloadTimeoutMs ?? 15_000,
    maxDownloadBytes: options.maxDownloadBytes ?? 256 * 1024 * 1024,
    pluginsBase: options.sources?.wordpressOrgPlugins ?? WORDPRESS_ORG_PLUGINS_URL,
    wpCliTemplate: options.sources?.wpCli ?? WP_CLI_RELEASE_URL,
    wordpressReleaseTemplate: options.sources?.wordpressReleases ?? WORDPRESS_RELEASE_URL,
    manifest:
      options.approvedPlugins === undefined
        ? undefined
        : parseApprovedPluginManifest(options.approvedPlugins),
    fetchImpl: options.fetch,
  }
}
