/**
 * The worker's `init`: load PHP, configure it, lay out WordPress (a MEMFS copy of the site layer over
 * read-only NODEFS core) and create its request handler, then apply the boot mounts.
 *
 * @module
 */
import { existsSync } from 'node:fs'
import { loadPhp, OPCACHE_FILE_CACHE } from './load-php.js'
import { interceptOutput, type OutputCapture } from './output-capture.js'
import { createErrorLogTail, type ErrorLogTail } from './php-error-log.js'
import {
  emscriptenRuntimeOf,
  PHPRequestHandler,
  type Php,
  type PhpRequestHandler,
  setPhpIniEntries,
} from './php-wasm-api.js'
import type { InitResult, WorkerEvent, WorkerInit } from './php-worker-protocol.js'
import { copyHostTreeToVfs, createNodeFsMount, enableReadOnlyNodeFsMounts } from './vfs.js'

/** Where PHP writes its error log inside the VFS. */
export const ERROR_LOG_PATH = '/internal/codebox/php-error.log'
const WORDPRESS_ROOT = '/wordpress'
/** Directories of an installed site that never change at runtime (shared, read-only in `nodefs-core`). */
const IMMUTABLE_SITE_DIRS = ['wp-admin', 'wp-includes', 'wp-content/plugins/sqlite-database-integration']
/** OPcache in shared (wasm) memory only: the file cache mode is slower and served stale eval code. */
const OPCACHE_INI = {
  'opcache.enable': '1',
  'opcache.enable_cli': '1',
  'opcache.file_cache': '',
  'opcache.file_cache_only': '0',
  'opcache.validate_timestamps': '1',
  'opcache.revalidate_freq': '0',
  'opcache.memory_consumption': '128',
  'opcache.interned_strings_buffer': '16',
  'opcache.max_accelerated_files': '10000',
}

/** A booted worker: PHP, its error log and, with WordPress, the request handler. */
export interface BootedPhp {
  readonly php: Php
  readonly requestHandler: PhpRequestHandler | undefined
  readonly errorLog: ErrorLogTail
  readonly result: InitResult
}

/** What {@link bootPhp} needs from the worker's message loop. */
export interface BootHooks {
  /** Sandbox events (denied network, denied processes). */
  readonly emitEvent: (event: WorkerEvent) => void
  /** The output capture of the call in progress, if any. */
  readonly currentCapture: () => OutputCapture | null
}

/** Boots PHP (and WordPress, if asked) from the host's `init` message. */
export async function bootPhp(init: WorkerInit, hooks: BootHooks): Promise<BootedPhp> {
  const started = performance.now()
  const php = await loadPhp(init, hooks.emitEvent)
  const runtime = emscriptenRuntimeOf(php)
  interceptOutput(runtime, hooks.currentCapture)
  php.mkdir('/internal/codebox')
  // OPcache refuses unknown SAPI names; in-memory mode with timestamp checks on every include stays fresh.
  // Otherwise the CLI SAPI, as Playground's own CLI uses: WP-CLI refuses to run under any other SAPI name, and
  // WordPress serves requests the same way under it. The SAPI can only be chosen before the first request.
  await php.setSapiName(init.opcache ? 'fpm-fcgi' : 'cli')
  await setPhpIniEntries(php, {
    ...(init.opcache ? OPCACHE_INI : {}),
    memory_limit: '256M',
    display_errors: '0',
    html_errors: '0',
    log_errors: '1',
    error_log: ERROR_LOG_PATH,
    error_reporting: 'E_ALL',
    max_execution_time: '0',
    ...init.phpIni,
  })
  const errorLog = createErrorLogTail(php, ERROR_LOG_PATH)
  // post_message_to_js() from PHP (the mail capture uses it): posted at once, so it reaches the host before the
  // call's result.
  php.onMessage((data: string) => {
    hooks.emitEvent({ type: 'php.message', data: String(data) })
  })

  let wordpress: InitResult['wordpress']
  let requestHandler: PhpRequestHandler | undefined
  if (init.wordpress) {
    const layout = init.wordpress.layout ?? 'nodefs-core'
    const siteUrl = init.wordpress.siteUrl ?? 'http://127.0.0.1'
    const { siteDir } = init.wordpress
    let copied: { files: number; bytes: number }
    if (layout === 'memfs-copy') {
      copied = copyHostTreeToVfs(runtime.FS, siteDir, WORDPRESS_ROOT)
    } else {
      // Core and the SQLite integration stay on the host, mounted read-only and shared by every runtime;
      // only the site layer (wp-config, wp-content, the database) is copied into this runtime's memory.
      const immutable = new Set(IMMUTABLE_SITE_DIRS)
      copied = copyHostTreeToVfs(runtime.FS, siteDir, WORDPRESS_ROOT, { skip: (rel) => immutable.has(rel) })
      enableReadOnlyNodeFsMounts(runtime.FS)
      for (const dir of IMMUTABLE_SITE_DIRS) {
        const hostPath = `${siteDir}/${dir}`
        if (!existsSync(hostPath)) continue
        await php.mount(`${WORDPRESS_ROOT}/${dir}`, createNodeFsMount(hostPath, { readOnly: true }))
      }
    }
    const compiled = init.opcache ? undefined : init.wordpress.compiledCore
    if (compiled) {
      // php-wasm's default OPcache is file-cache-only, under OPCACHE_FILE_CACHE: core compiled on the host goes
      // where PHP looks for it, read-only; the rest of the file cache stays this runtime's own (MEMFS).
      enableReadOnlyNodeFsMounts(runtime.FS)
      for (const dir of IMMUTABLE_SITE_DIRS) {
        const hostPath = `${compiled.dir}/${compiled.systemId}/wordpress/${dir}`
        if (!existsSync(hostPath)) continue
        await php.mount(
          `${OPCACHE_FILE_CACHE}/${compiled.systemId}/wordpress/${dir}`,
          createNodeFsMount(hostPath, { readOnly: true }),
        )
      }
      for (const layer of compiled.layers ?? []) {
        await php.mount(
          `${OPCACHE_FILE_CACHE}/${compiled.systemId}${layer.vfsPath}`,
          createNodeFsMount(layer.dir, { readOnly: true }),
        )
      }
    }
    wordpress = { layout, copiedFiles: copied.files, copiedBytes: copied.bytes }
    php.defineConstant('WP_HOME', siteUrl)
    php.defineConstant('WP_SITEURL', siteUrl)
    // WP-Cron would fire a loopback HTTP request on page loads; with network denied it only adds noise.
    php.defineConstant('DISABLE_WP_CRON', true)
    php.chdir(WORDPRESS_ROOT)
    requestHandler = new PHPRequestHandler({
      php,
      documentRoot: WORDPRESS_ROOT,
      absoluteUrl: siteUrl,
      cookieStore: false,
      // WordPress's .htaccess behaviour: unknown paths go to index.php (pretty permalinks, /wp-json/).
      rewriteRules: [{ match: /^(\/[_0-9a-zA-Z-]+)?(\/wp-(content|admin|includes)\/.*)/, replacement: '$2' }],
      getFileNotFoundAction: () => ({ type: 'internal-redirect', uri: '/index.php' }),
    })
  }
  for (const [name, value] of Object.entries(init.constants ?? {})) php.defineConstant(name, value)
  for (const mount of init.mounts ?? []) {
    await php.mount(mount.vfsPath, createNodeFsMount(mount.hostPath, { readOnly: mount.readOnly ?? false }))
  }
  return {
    php,
    requestHandler,
    errorLog,
    result: { phpVersion: init.phpVersion, bootMs: performance.now() - started, wordpress },
  }
}
