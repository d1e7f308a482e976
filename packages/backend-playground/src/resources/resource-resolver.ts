import type { ResourceLockEntry } from './resource-lock.js'
import type { PluginSpec, ToolSpec } from './resource-spec.js'

/** Options of `resolvePlugin` and `resolveTool`. */
export interface ResolveResourceOptions {
  readonly signal?: AbortSignal
  /** Limit for a download made by this call. Default the resolver's `downloadTimeoutMs`. */
  readonly timeoutMs?: number
  /** Accept an artifact whose hash differs from the lock file, and record the new hash. Default `false`. */
  readonly updateLock?: boolean
}

/** Options of `cacheAdd`. */
export interface CacheAddOptions {
  /** Plugin slug. Default: the zip's top-level directory, the directory's name, or `wp-cli` for a `.phar`. */
  readonly slug?: string
  /** Version. Default: the plugin's `Version:` header or the phar's WP-CLI version; must agree when both exist. */
  readonly version?: string
  /** Expected hash (`sha256:<hex>` or hex) of the zip or phar; a mismatch adds nothing. */
  readonly sha256?: string
  /** Replace a different hash recorded in the lock file for this slug@version. Default `false`. */
  readonly updateLock?: boolean
  readonly signal?: AbortSignal
}

/**
 * A resolved plugin or tool, as recorded in provenance. `path` is ready to use: an extracted plugin directory to
 * mount at `wp-content/plugins/<slug>` (or `mu-plugins/<slug>`), or a phar file.
 */
export interface ResolvedResource {
  /** `phpunit`: a part of `wordpress.phpunit`'s toolkit, only ever returned by `cacheAdd`. */
  readonly kind: 'plugin' | 'tool' | 'wordpress' | 'phpunit'
  readonly slug: string
  /**
   * The release: the plugin's `Version:` header (or the spec's), the phar's version. `undefined` only for a local
   * plugin (a directory or zip used in place) whose main file has no `Version:` header: it is known by `sha256`.
   */
  readonly version: string | undefined
  /**
   * `sha256:<hex>` of the zip or phar bytes; for a plugin given as a directory, its tree digest (see `treeDigest`).
   */
  readonly sha256: string
  /** Where it was found. */
  readonly origin: 'local' | 'cache' | 'download'
  /** The local path or URL it came from. */
  readonly source: string
  /** Host path: the plugin directory (`<layer>/<slug>` or the local directory) or the phar file. */
  readonly path: string
  /** Plugins: main file relative to the plugins directory, e.g. `wp-graphql/wp-graphql.php`. */
  readonly pluginFile?: string
  /** Plugins: the `Plugin Name:` header. */
  readonly name?: string
  /** Plugins: activate after install (spec default `true`). Always `false` for tools. */
  readonly activate: boolean
  /** Plugins: `plugin` or `mu-plugin` (spec default `plugin`). Always `plugin` for tools. */
  readonly loadAs: 'plugin' | 'mu-plugin'
}

/** A resolved plugin: `pluginFile` and `name` are always set. */
export interface ResolvedPlugin extends ResolvedResource {
  readonly kind: 'plugin'
  readonly pluginFile: string
  readonly name: string
}

/** A resolved tool: `path` is the phar. */
export interface ResolvedTool extends ResolvedResource {
  readonly kind: 'tool'
  readonly version: string
  readonly activate: false
}

/** A resolved WordPress release: `path` is its release zip in the cache. */
export interface ResolvedWordPress extends ResolvedResource {
  readonly kind: 'wordpress'
  readonly slug: 'wordpress'
  readonly version: string
  readonly origin: 'cache' | 'download'
  readonly activate: false
}

/** One artifact in the cache. */
export interface CacheEntry {
  readonly kind: 'plugin' | 'tool' | 'wordpress'
  readonly slug: string
  readonly version: string
  /** `sha256:<hex>` of the cached file now. */
  readonly sha256: string
  readonly sizeBytes: number
  readonly path: string
  /** The lock file's first-seen entry, if any. */
  readonly lock: ResourceLockEntry | undefined
  /** False when the file no longer has the hash the lock file recorded (it will be refused). */
  readonly matchesLock: boolean
}

/** Resolves plugins and tools from a local source, the cache, or the official download. */
export interface ResourceResolver {
  /** The cache root in use. */
  readonly cacheDir: string
  /** The lock file in use. */
  readonly lockFile: string
  /**
   * Resolves a plugin: an explicit local `source` (directory or zip) is used as is; otherwise the cache, then a
   * download (cached afterwards). Checks the spec's `sha256`, the lock file and the approved-plugins manifest.
   *
   * @throws {@link ResourceUnavailableError} `RESOURCE_UNAVAILABLE` — found nowhere (lists every place looked).
   * @throws {@link ResourceIntegrityError} `RESOURCE_INTEGRITY_MISMATCH` — the pinned hash differs.
   * @throws {@link ResourceUpstreamChangedError} `RESOURCE_UPSTREAM_CHANGED` — differs from the lock file.
   * @throws {@link ResourceVersionMismatchError} `RESOURCE_VERSION_MISMATCH` — the header names another version.
   * @throws `PluginNotApprovedError` (`@codebox/policy`) `PLUGIN_NOT_APPROVED` — not on the manifest.
   */
  resolvePlugin(spec: PluginSpec, options?: ResolveResourceOptions): Promise<ResolvedPlugin>
  /** Resolves a tool (`wp-cli`) the same way; the result is a phar path. */
  resolveTool(spec: ToolSpec, options?: ResolveResourceOptions): Promise<ResolvedTool>
  /**
   * Resolves a WordPress release by version (`6.9`): the cache, else one download of the official release zip,
   * checked against the SHA-1 wordpress.org publishes for it, then cached and locked. The result is the zip's path.
   *
   * @throws {@link ResourceUnavailableError} `RESOURCE_UNAVAILABLE` — not cached and not downloadable (says how to
   * provide it).
   * @throws {@link ResourceIntegrityError} `RESOURCE_INTEGRITY_MISMATCH` — the download differs from the checksum.
   */
  resolveWordPress(version: string, options?: ResolveResourceOptions): Promise<ResolvedWordPress>
  /**
   * Adds a plugin zip, a plugin directory (zipped deterministically), a `.phar`, or a WordPress release (zip or
   * unpacked directory, recognised by its `wp-includes/version.php`) to the cache without network, and records it in
   * the lock file. Returns it resolved with `origin: 'cache'`. A part of `wordpress.phpunit`'s toolkit — a PHPUnit 9
   * phar or tree, the Yoast PHPUnit Polyfills (zip or directory), a WordPress test library (zip or directory, with
   * `version` naming its WordPress) — is copied to the cache directory the toolkit is read from (`kind: 'phpunit'`).
   */
  cacheAdd(zipOrDirOrPhar: string, options?: CacheAddOptions): Promise<ResolvedResource>
  /** Lists every zip and phar in the cache with its current hash and lock entry. */
  cacheList(): Promise<CacheEntry[]>
}
