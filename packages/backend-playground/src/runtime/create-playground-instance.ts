import { createHash } from 'node:crypto'
import path from 'node:path'
import type { BackendCreateContext } from '@codebox/runtime-core'
import { pluginActivateProgram } from '../commands/php-snippets.js'
import { runProgram } from '../commands/run-program.js'
import { BackendPlaygroundError } from '../errors.js'
import type { ResolvedPlaygroundOptions } from '../playground-options.js'
import { pluginLabel } from '../resources/artifact-checks.js'
import { createResourceResolver, type ResolvedPlugin } from '../resources/index.js'
import { ensureCompiledCore } from '../site/compiled-core.js'
import { withCompiledPlugins } from '../site/compiled-plugins.js'
import {
  DATABASE_DIR,
  prepareDatabaseDirectory,
  readActivatedPlugins,
  recordActivatedPlugins,
} from '../site/durable-database.js'
import type { WordPressTemplate } from '../site/prepare-template.js'
import {
  bootRecoveryPoint,
  prepareSiteTemplate,
  prepareWordPressTemplateOnce,
} from '../site/template-cache.js'
import { resolveWordPressSource, SQLITE_INTEGRATION_ZIP } from '../site/wordpress-builds.js'
import { encodeSiteSnapshot, type SiteLayers } from '../snapshot/site-snapshot.js'
import { type DecodedSnapshot, decodeSnapshot } from '../snapshot/snapshot-file.js'
import { loadedPhpExtensions, phpRuntimeManifest } from '../worker/php-runtime-manifest.js'
import { PhpWorker } from '../worker/php-worker-client.js'
import { PlaygroundInstance } from './playground-instance.js'
import { freshPriming, siteAdditions, snapshotPriming } from './pool-priming.js'
import { RuntimeLogs } from './runtime-logs.js'
import { RuntimeMounts } from './runtime-mounts.js'
import { pluginWorkerMounts, siteWorkerOptions, type WorkerMount } from './site-worker-options.js'
import { startSiteWorker } from './worker-pool.js'
import { WorkerSupervisor } from './worker-supervisor.js'

/** The layers a new runtime boots on, resolved before any worker starts. */
interface BootLayers extends SiteLayers {
  /** The snapshot the runtime is restored from (`context.from`), decoded. */
  readonly snapshot: DecodedSnapshot | undefined
  /** The template the worker boots: the site template (plugins activated) for a fresh runtime. */
  readonly bootTemplate: WordPressTemplate
  /** Plugins the site template already activated. */
  readonly activated: ReadonlySet<string>
  /** Where WordPress came from, for provenance (a bundled build, the cache, a download, a path). */
  readonly wordpressSource: string
}

type Progress = (phase: string, fraction: number, message?: string) => void

/** Resolves plugins, prepares (or reuses) the WordPress and site templates, and checks a snapshot's layers. */
async function resolveBootLayers(
  options: ResolvedPlaygroundOptions,
  context: BackendCreateContext,
  cacheDir: string,
  progress: Progress,
): Promise<BootLayers> {
  const { signal } = context
  const snapshot = context.from ? await decodeSnapshot(context.from.bytes) : undefined
  // Plugins resolve before the template is prepared, so a missing one fails fast, before any slow work.
  progress('plugins', 0.05)
  const resolver = createResourceResolver({
    cacheDir,
    ...(options.download === undefined ? {} : { download: options.download }),
    ...(options.approvedPlugins === undefined ? {} : { approvedPlugins: options.approvedPlugins }),
  })
  const pluginSpecs =
    snapshot && options.plugins.length === 0
      ? snapshot.manifest.layers.plugins.map((plugin) => ({ ...plugin, activate: false }))
      : options.plugins
  const plugins: ResolvedPlugin[] = []
  for (const spec of pluginSpecs) plugins.push(await resolver.resolvePlugin(spec, { signal }))

  progress('template', 0.25, `WordPress ${options.wordpress}, PHP ${options.php}`)
  const wordpress = await resolveWordPressSource(options.wordpress, resolver, signal)
  const { zipPath } = wordpress
  const template = await prepareWordPressTemplateOnce({
    zipPath,
    sqliteZipPath: SQLITE_INTEGRATION_ZIP,
    phpVersion: options.php,
    siteUrl: options.siteUrl,
    cacheDir,
    signal,
  })
  signal.throwIfAborted()
  // Says whether this create installed (or verified) the WordPress template, so a caller can see the cache work.
  progress(
    'template',
    0.27,
    template.built
      ? `built WordPress template ${path.basename(template.siteDir)}`
      : template.joined
        ? `waited for WordPress template ${path.basename(template.siteDir)}, built by a concurrent create`
        : `reused WordPress template ${path.basename(template.siteDir)}`,
  )

  if (snapshot) {
    const layers = snapshot.manifest.layers
    if (
      layers.core !== `sha256:${template.coreSha256}` ||
      layers.sqlite !== `sha256:${template.sqliteSha256}`
    ) {
      throw new BackendPlaygroundError(
        'SNAPSHOT_LAYER_MISMATCH',
        `The snapshot sits on WordPress layer ${layers.core} but this backend provides ${`sha256:${template.coreSha256}`}; create the backend with the same wordpress option as the runtime that took it.`,
        { details: { expected: layers.core, actual: `sha256:${template.coreSha256}` } },
      )
    }
  }

  // The installer-side work (plugin activation) runs once per template; later creates boot its cached result.
  const site = snapshot
    ? undefined
    : await prepareSiteTemplate({
        base: template,
        phpVersion: options.php,
        siteUrl: options.siteUrl,
        constants: options.constants,
        plugins,
        cacheDir,
        signal,
      })
  if (site) {
    // Says whether this create paid for the installer-side work, so a caller can see the template cache work.
    progress(
      'template',
      0.3,
      site.built
        ? `built site template ${site.key}`
        : site.joined
          ? `waited for site template ${site.key}, built by a concurrent create`
          : `reused cached site template ${site.key}`,
    )
  }
  return {
    php: options.php,
    template,
    plugins,
    snapshot,
    bootTemplate: site ? { ...template, siteDir: site.siteDir } : template,
    activated: site?.activated ?? new Set(),
    wordpressSource: wordpress.source,
  }
}

/**
 * Boots a new Playground runtime, or restores `context.from`: resolves its layers, prepares its mounts, starts
 * (or takes from the pool) its PHP worker, then restores the snapshot or activates plugins. Everything started is
 * stopped again when a step fails.
 */
export async function createPlaygroundInstance(
  options: ResolvedPlaygroundOptions,
  context: BackendCreateContext,
  cacheDir: string,
): Promise<PlaygroundInstance> {
  const { signal } = context
  const progress: Progress = (phase, fraction, message) =>
    context.emit({ type: 'runtime.progress', phase, fraction, ...(message ? { message } : {}) })
  const layers = await resolveBootLayers(options, context, cacheDir, progress)
  const { snapshot, plugins, template, bootTemplate } = layers
  // Core compiled once per template and PHP version, mounted read-only (not with shared-memory OPcache).
  const compiledProgress = { signal, progress: (message: string) => progress('template', 0.3, message) }
  const compiledCore = options.opcache
    ? undefined
    : await ensureCompiledCore(template, options.php, compiledProgress)
  // The immutable plugin layers compiled the same way, under the core's system id.
  const compiled =
    compiledCore &&
    (await withCompiledPlugins(compiledCore, plugins, options.php, cacheDir, compiledProgress))
  const databaseDirectory = options.database?.directory
  const siteLayers: SiteLayers = { php: options.php, template, plugins, databaseDirectory }
  // A durable database is its own host mount, after every other one, so nothing can shadow it.
  const databaseMounts: WorkerMount[] = []
  let initialised = false
  if (databaseDirectory !== undefined) {
    initialised = await prepareDatabaseDirectory(databaseDirectory, bootTemplate.siteDir)
    progress(
      'database',
      0.32,
      initialised ? 'initialised the durable database' : 'opened the durable database',
    )
    databaseMounts.push({
      hostPath: databaseDirectory,
      vfsPath: `/wordpress/${DATABASE_DIR}`,
      readOnly: false,
    })
  }

  progress('mounts', 0.35)
  const mounts = new RuntimeMounts(context.assertMountAllowed)
  const logs = new RuntimeLogs(context.emit)
  let instance: PlaygroundInstance | undefined
  let worker: PhpWorker | undefined
  try {
    await mounts.prepareAtBoot([...options.mounts, ...context.mounts])

    progress('boot', 0.5)
    const bootLog: string[] = []
    const workerOptions = siteWorkerOptions(
      options,
      context,
      bootTemplate,
      [...pluginWorkerMounts(plugins), ...mounts.workerMounts(), ...databaseMounts],
      (line) => bootLog.push(line),
      compiled,
    )
    const additions = siteAdditions(options)
    const priming =
      snapshot && context.from
        ? snapshotPriming(context.from.bytes, snapshot, additions, databaseDirectory)
        : freshPriming(bootTemplate.siteDir, additions)
    const taken = await startSiteWorker(options, workerOptions, priming, {
      signal,
      // A pooled worker was started before this runtime's options were known: its clock and entropy are real ones.
      pooled: mounts.size === 0 && databaseDirectory === undefined && context.deterministic === undefined,
    })
    worker = taken.worker
    progress(
      'boot',
      0.6,
      taken.pooled
        ? `took a pre-started PHP worker from the pool${snapshot ? ', the snapshot already restored' : ''}`
        : 'started a PHP worker',
    )
    const supervisor = new WorkerSupervisor(worker, {
      emit: context.emit,
      fail: context.fail,
      // A replacement boots the base template: the recovery point (taken against it) puts the site state back.
      startWorker: () =>
        PhpWorker.start(
          siteWorkerOptions(
            options,
            context,
            template,
            [...pluginWorkerMounts(plugins), ...mounts.workerMounts(), ...databaseMounts],
            (line) => logs.boot(line),
            compiled,
          ),
          { timeoutMs: 60_000 },
        ),
      databaseDirectory,
      // The recovery point may come from another runtime on the same template (or from a fork's source) with
      // another `headless` setting: this runtime's own pack is put back, as at create.
      reinstall: (replacement) => additions.install(replacement),
      bootLog: (line) => logs.boot(line),
    })
    const phpRuntime = await phpRuntimeManifest(options.php)
    const loadedExtensions = await loadedPhpExtensions(worker, phpRuntime.module.sha256, {
      cached: context.deterministic === undefined,
    })
    instance = new PlaygroundInstance({
      options,
      context,
      layers: siteLayers,
      cacheDir,
      supervisor,
      mounts,
      logs,
      phpRuntime: await phpRuntimeManifest(options.php, { loadedExtensions }),
      wordpressSource: layers.wordpressSource,
    })
    for (const line of bootLog) logs.boot(line)
    logs.boot(
      `booted WordPress ${template.wordpressVersion} on PHP ${options.php} in ${Math.round(worker.info?.bootMs ?? 0)} ms`,
    )

    if (!taken.primed) {
      if (snapshot) {
        progress('restore', 0.7)
        await priming.restore(worker, signal)
      }
      await priming.install(worker, signal)
    }
    // A durable database that existed before this runtime has its own plugin state, not the template's: the plugins
    // the backend activated in it are recorded beside it, and only a plugin added to the runtime since is activated.
    const recorded =
      databaseDirectory === undefined
        ? layers.activated
        : initialised
          ? new Set(layers.activated)
          : await readActivatedPlugins(databaseDirectory)
    const activate = plugins.filter(
      (plugin) => plugin.activate && plugin.loadAs !== 'mu-plugin' && !snapshot && !recorded.has(plugin.slug),
    )
    if (activate.length > 0) {
      progress('activate', 0.8)
      const host = {
        get worker() {
          return supervisor.worker
        },
        log: logs.php,
      }
      for (const plugin of activate) {
        const outcome = await runProgram(
          host,
          pluginActivateProgram({ plugin: plugin.pluginFile ?? plugin.slug }),
          signal,
        )
        if (outcome.exitCode !== 0) {
          throw new BackendPlaygroundError(
            'PLUGIN_ACTIVATION_FAILED',
            `Plugin ${pluginLabel(plugin)} failed to activate: ${outcome.message ?? outcome.stdout ?? ''}`,
            { details: { plugin: plugin.slug } },
          )
        }
      }
    }
    if (databaseDirectory !== undefined && !snapshot && (initialised || activate.length > 0)) {
      await recordActivatedPlugins(databaseDirectory, [...recorded, ...activate.map((plugin) => plugin.slug)])
    }
    progress('ready', 1)
    // A fresh runtime's state is its template's; a fork's is the snapshot it was restored from. The boot state is the
    // same for every runtime of a template with the same must-use plugins, so it is encoded once per process; with a
    // durable database it leaves the database out (a recovery keeps the one on disk), so no tenant's data is shared.
    const durable = databaseDirectory !== undefined
    const bootKey = `${bootTemplate.siteDir}|${createHash('sha256').update(JSON.stringify(options.muPlugins)).digest('hex')}${durable ? '|durable' : ''}`
    supervisor.setRecoveryPoint(
      context.from
        ? context.from.bytes
        : await bootRecoveryPoint(
            bootKey,
            (encodeSignal) =>
              encodeSiteSnapshot(supervisor.worker, siteLayers, encodeSignal, { withoutDatabase: durable }),
            signal,
          ),
    )
    supervisor.forgetDatabase()
    return instance
  } catch (error) {
    if (instance) await instance.destroy()
    else {
      await worker?.terminate()
      await mounts.dispose()
    }
    throw error
  }
}
