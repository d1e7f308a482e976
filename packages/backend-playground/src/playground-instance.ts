import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type {
  BackendCallContext,
  BackendCollectContribution,
  BackendCommandOutcome,
  BackendCreateContext,
  BackendInstance,
  BackendMount,
  ChangedFile,
  CommandContext,
  ProvenanceComponent,
  RuntimeProvenance,
  RuntimeSnapshot,
} from '@codebox/runtime-core'
import { nanoid } from 'nanoid'
import type { z } from 'zod'
import type { GraphqlArgs, HttpRequestArgs, RestRequestArgs, RunPhpArgs } from './command-catalogue.js'
import { BackendPlaygroundError } from './errors.js'
import { bodyTooLargeResponse } from './headless/graphql-guardrails-options.js'
import { headlessConstants, headlessLogEvent, installHeadless } from './headless/headless-install.js'
import {
  DATABASE_PATH,
  DOCUMENT_ROOT,
  optionGetProgram,
  optionSetProgram,
  parseProgramOutput,
  pluginActivateProgram,
  pluginDeactivateProgram,
  pluginListProgram,
  restRequestProgram,
  wpCliProgram,
} from './php-snippets.js'
import { BACKEND_VERSION, workerNetworkPolicy } from './playground-backend.js'
import { playgroundEnforcement } from './playground-enforcement.js'
import type { ResolvedPlaygroundOptions } from './playground-options.js'
import { createResourceResolver, type ResolvedPlugin, type ResolvedTool } from './resources/index.js'
import { PHP_WASM_NODE_VERSION } from './runtime-versions.js'
import type { WordPressTemplate } from './site/prepare-template.js'
import {
  bootRecoveryPoint,
  pluginVfsPath,
  prepareSiteTemplate,
  prepareWordPressTemplateOnce,
} from './site/template-cache.js'
import {
  diffMount,
  disposeMount,
  disposeMountSync,
  type PreparedMount,
  prepareMount,
  resolveMountSource,
} from './site-mounts.js'
import { decodeSnapshot, encodeSnapshot, sha256Of } from './snapshot-file.js'
import { resolveWordPressZip, SQLITE_INTEGRATION_ZIP } from './wordpress-builds.js'
import { isPhpWorkerTerminatedError, PhpWorker, type PhpWorkerOptions } from './worker/php-worker-client.js'
import type { PhpLogEntry } from './worker/php-worker-protocol.js'
import { forwardWorkerEvent } from './worker-events.js'
import { startSiteWorker } from './worker-pool.js'

const MAX_LOG_BYTES = 4 * 1024 * 1024

/** Site-layer files of a template, by path relative to the site root, with their hashes (cached per process). */
const templateHashes = new Map<string, Promise<Map<string, string>>>()

/** Hashes the template's own files (not following symlinks: those are the shared, immutable layers). */
async function hashTemplate(siteDir: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>()
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.isFile()) {
        hashes.set(
          relative(siteDir, path).split(sep).join('/'),
          sha256Of(new Uint8Array(await readFile(path))),
        )
      }
    }
  }
  await walk(siteDir)
  return hashes
}

function templateHashesOf(siteDir: string): Promise<Map<string, string>> {
  let hashes = templateHashes.get(siteDir)
  if (!hashes) {
    hashes = hashTemplate(siteDir)
    templateHashes.set(siteDir, hashes)
  }
  return hashes
}

/** A serial lock: PHP runs one call at a time per runtime, and recovery must finish before the next call. */
class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve()

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work)
    this.#tail = next.catch(() => {})
    return next
  }
}

/** A bounded text log (keeps the first `maxBytes`, counts the rest). */
class LogFile {
  readonly #lines: string[] = []
  #bytes = 0
  #dropped = 0

  append(line: string): void {
    if (this.#bytes + line.length > MAX_LOG_BYTES) {
      this.#dropped += line.length
      return
    }
    this.#bytes += line.length + 1
    this.#lines.push(line)
  }

  text(): string {
    const tail = this.#dropped > 0 ? `\n[codebox: ${this.#dropped} more bytes of log not kept]\n` : ''
    return `${this.#lines.join('\n')}${this.#lines.length ? '\n' : ''}${tail}`
  }
}

function logLevel(entry: PhpLogEntry): 'debug' | 'info' | 'warn' | 'error' {
  if (entry.level === 'fatal' || entry.level === 'parse') return 'error'
  if (entry.level === 'warning') return 'warn'
  return 'info'
}

function flattenHeaders(headers: Readonly<Record<string, readonly string[]>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, values]) => [name.toLowerCase(), values.join(', ')]),
  )
}

const decoder = new TextDecoder()

/** One Playground sandbox: a PHP worker serving an installed WordPress composed from shared layers. */
export class PlaygroundInstance implements BackendInstance {
  readonly #baseProvenance: RuntimeProvenance
  readonly enforcement: BackendInstance['enforcement']
  readonly #options: ResolvedPlaygroundOptions
  readonly #context: BackendCreateContext
  readonly #template: WordPressTemplate
  readonly #plugins: readonly ResolvedPlugin[]
  readonly #cacheDir: string
  readonly #queue = new SerialQueue()
  readonly #mounts = new Map<string, PreparedMount>()
  readonly #workerMounts = new Map<string, () => Promise<void>>()
  readonly #checkpoints = new Map<string, Uint8Array>()
  readonly #phpLog = new LogFile()
  readonly #bootLog = new LogFile()
  #worker: PhpWorker
  /** The last consistent site state: a snapshot file, restored after the worker is lost. */
  #recoveryPoint: Uint8Array | undefined
  /** The database as of the last command that finished normally. */
  #lastDatabase: Uint8Array | undefined
  #wpCli: ResolvedTool | undefined
  #destroyed = false
  #nextMount = 0
  /** Settles when an in-progress recovery has either installed its new worker or stopped it. */
  #recovering: Promise<void> | undefined

  private constructor(init: {
    options: ResolvedPlaygroundOptions
    context: BackendCreateContext
    template: WordPressTemplate
    plugins: readonly ResolvedPlugin[]
    cacheDir: string
    worker: PhpWorker
  }) {
    this.#options = init.options
    this.#context = init.context
    this.#template = init.template
    this.#plugins = init.plugins
    this.#cacheDir = init.cacheDir
    this.#worker = init.worker
    const components: ProvenanceComponent[] = [
      { kind: 'backend', name: '@codebox/backend-playground', version: BACKEND_VERSION },
      { kind: 'runtime', name: '@php-wasm/node', version: PHP_WASM_NODE_VERSION },
      { kind: 'php', name: 'php', version: init.options.php },
      {
        kind: 'wordpress',
        name: 'wordpress',
        version: init.template.wordpressVersion,
        sha256: `sha256:${init.template.coreSha256}`,
        source: init.options.wordpress,
      },
      {
        kind: 'plugin',
        name: 'sqlite-database-integration',
        sha256: `sha256:${init.template.sqliteSha256}`,
        source: '@wp-playground/wordpress-builds',
      },
      ...init.plugins.map(
        (plugin): ProvenanceComponent => ({
          kind: 'plugin',
          name: plugin.slug,
          version: plugin.version,
          sha256: plugin.sha256,
          source: plugin.origin,
        }),
      ),
    ]
    this.#baseProvenance = { backend: { name: 'playground', version: BACKEND_VERSION }, components }
    this.enforcement = playgroundEnforcement(init.context.policy)
  }

  /** What this runtime is made of; wp-cli joins it once a `wordpress.wp-cli` command resolved it. */
  get provenance(): RuntimeProvenance {
    const wpCli = this.#wpCli
    if (!wpCli) return this.#baseProvenance
    return {
      ...this.#baseProvenance,
      components: [
        ...this.#baseProvenance.components,
        { kind: 'tool', name: 'wp-cli', version: wpCli.version, sha256: wpCli.sha256, source: wpCli.origin },
      ],
    }
  }

  /** Boots a new instance (or restores `context.from`). */
  static async create(
    options: ResolvedPlaygroundOptions,
    context: BackendCreateContext,
    cacheDir: string,
  ): Promise<PlaygroundInstance> {
    const { signal } = context
    const progress = (phase: string, fraction: number, message?: string) =>
      context.emit({ type: 'runtime.progress', phase, fraction, ...(message ? { message } : {}) })

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
    const { zipPath } = resolveWordPressZip(options.wordpress)
    const template = await prepareWordPressTemplateOnce({
      zipPath,
      sqliteZipPath: SQLITE_INTEGRATION_ZIP,
      phpVersion: options.php,
      siteUrl: options.siteUrl,
      cacheDir,
      signal,
    })
    signal.throwIfAborted()

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
    const bootTemplate = site ? { ...template, siteDir: site.siteDir } : template
    if (site) {
      // Says whether this create paid for the installer-side work, so a caller can see the template cache work.
      progress(
        'template',
        0.3,
        site.built ? `built site template ${site.key}` : `reused cached site template ${site.key}`,
      )
    }

    progress('mounts', 0.35)
    const prepared: PreparedMount[] = []
    const workerMounts: NonNullable<PhpWorkerOptions['mounts']>[number][] = plugins.map((plugin) => ({
      hostPath: plugin.path,
      vfsPath: pluginVfsPath(plugin),
      readOnly: true,
    }))
    let instance: PlaygroundInstance | undefined
    let worker: PhpWorker | undefined
    try {
      for (const spec of [...options.mounts, ...context.mounts]) {
        const real = await resolveMountSource(spec.source)
        context.assertMountAllowed(real, spec.mode)
        const mount = await prepareMount(
          `m${prepared.length}`,
          { ...spec, mode: spec.mode ?? 'readonly' },
          real,
        )
        prepared.push(mount)
        workerMounts.push({
          hostPath: mount.mountedPath,
          vfsPath: mount.target,
          readOnly: mount.mode === 'readonly',
        })
      }

      progress('boot', 0.5)
      const bootLog: string[] = []
      const workerOptions = PlaygroundInstance.#workerOptions(
        options,
        context,
        bootTemplate,
        workerMounts,
        (line) => bootLog.push(line),
      )
      const taken = await startSiteWorker(options, workerOptions, { signal, pooled: prepared.length === 0 })
      worker = taken.worker
      progress(
        'boot',
        0.6,
        taken.pooled ? 'took a pre-started PHP worker from the pool' : 'started a PHP worker',
      )
      instance = new PlaygroundInstance({ options, context, template, plugins, cacheDir, worker })
      for (const mount of prepared) instance.#mounts.set(mount.id, mount)
      instance.#nextMount = prepared.length
      for (const line of bootLog) instance.#bootLog.append(line)
      instance.#bootLog.append(
        `booted WordPress ${template.wordpressVersion} on PHP ${options.php} in ${Math.round(worker.info?.bootMs ?? 0)} ms`,
      )
      const created = instance
      const started = worker
      void started.exited.then((exit) => created.#onWorkerExit(started, exit.reason))

      if (snapshot) {
        progress('restore', 0.7)
        await instance.#applySnapshot(snapshot.files, snapshot.manifest.deleted, signal)
      }
      await installHeadless(worker, options.headless, signal)
      const activate = plugins.filter(
        (plugin) =>
          plugin.activate && plugin.loadAs !== 'mu-plugin' && !snapshot && !site?.activated.has(plugin.slug),
      )
      if (activate.length > 0) {
        progress('activate', 0.8)
        for (const plugin of activate) {
          const outcome = await instance.#runProgram(
            pluginActivateProgram({ plugin: plugin.pluginFile ?? plugin.slug }),
            signal,
          )
          if (outcome.exitCode !== 0) {
            throw new BackendPlaygroundError(
              'PLUGIN_ACTIVATION_FAILED',
              `Plugin ${plugin.slug}@${plugin.version} failed to activate: ${outcome.message ?? outcome.stdout ?? ''}`,
              { details: { plugin: plugin.slug } },
            )
          }
        }
      }
      progress('ready', 1)
      // A fresh runtime's state is its template's; a fork's is the snapshot it was restored from.
      instance.#recoveryPoint = context.from
        ? context.from.bytes
        : await bootRecoveryPoint(bootTemplate.siteDir, () => created.#encodeSiteSnapshot(signal))
      instance.#lastDatabase = undefined
      return instance
    } catch (error) {
      if (instance) await instance.destroy()
      else {
        await worker?.terminate()
        await Promise.all(prepared.map((mount) => disposeMount(mount)))
      }
      throw error
    }
  }

  static #workerOptions(
    options: ResolvedPlaygroundOptions,
    context: BackendCreateContext,
    template: WordPressTemplate,
    mounts: NonNullable<PhpWorkerOptions['mounts']>,
    bootLog: (line: string) => void,
  ): PhpWorkerOptions {
    const secrets = Object.fromEntries(context.secrets)
    return {
      phpVersion: options.php,
      network: workerNetworkPolicy(context.policy.network),
      memoryLimit: options.memoryLimit,
      phpIni: options.phpIni,
      // Secrets become PHP constants for this runtime only; they live in the worker's memory, never on disk.
      constants: headlessConstants(options.headless, options.graphql, context.policy.network, {
        ...options.constants,
        ...secrets,
      }),
      wordpress: { siteDir: template.siteDir, siteUrl: options.siteUrl },
      mounts,
      maxOutputBytes: options.maxOutputBytes,
      opcache: options.opcache,
      logger: { debug: (message) => bootLog(message) },
      onEvent: (event) => forwardWorkerEvent(context.emit, event),
    }
  }

  /** The worker ended: either on purpose (terminate/abort, handled by the caller) or by a crash. */
  #onWorkerExit(worker: PhpWorker, reason: string): void {
    if (this.#destroyed || worker !== this.#worker) return
    if (reason === 'terminated') return
    this.#context.emit({
      type: 'diagnostic',
      severity: 'error',
      message: `PHP worker ended (${reason}); restoring the runtime to its last consistent state`,
      code: 'PHP_WORKER_LOST',
      phase: 'runtime',
    })
    void this.#queue.run(() => this.#recover())
  }

  /** Starts a fresh worker and puts back the last consistent state. Marks the runtime failed if that fails. */
  #recover(): Promise<void> {
    const recovering = this.#recoverNow()
    this.#recovering = recovering
    return recovering
  }

  async #recoverNow(): Promise<void> {
    if (this.#destroyed) return
    const old = this.#worker
    await old.terminate()
    try {
      const mounts = [...this.#mounts.values()].map((mount) => ({
        hostPath: mount.mountedPath,
        vfsPath: mount.target,
        readOnly: mount.mode === 'readonly',
      }))
      const pluginMounts = this.#plugins.map((plugin) => ({
        hostPath: plugin.path,
        vfsPath: pluginVfsPath(plugin),
        readOnly: true,
      }))
      const worker = await PhpWorker.start(
        PlaygroundInstance.#workerOptions(
          this.#options,
          this.#context,
          this.#template,
          [...pluginMounts, ...mounts],
          (line) => this.#bootLog.append(line),
        ),
        { timeoutMs: 60_000 },
      )
      if (this.#destroyed) {
        // destroy() ran while the new worker was booting: it terminated the old one, so this one is ours to stop.
        await worker.terminate()
        return
      }
      this.#worker = worker
      void worker.exited.then((exit) => this.#onWorkerExit(worker, exit.reason))
      if (this.#recoveryPoint) {
        const decoded = await decodeSnapshot(this.#recoveryPoint)
        await this.#applySnapshot(decoded.files, decoded.manifest.deleted)
      }
      if (this.#lastDatabase) await worker.writeFile(`${DOCUMENT_ROOT}/${DATABASE_PATH}`, this.#lastDatabase)
      // The recovery point may come from another runtime on the same template (or from a fork's source) with
      // another `headless` setting: this runtime's own pack is put back, as at create.
      await installHeadless(worker, this.#options.headless)
      this.#bootLog.append('recovered: new PHP worker with the last consistent site state')
      this.#context.emit({
        type: 'diagnostic',
        severity: 'warning',
        message:
          'runtime recovered: a new PHP worker was started with the database as of the last completed command and other site files as of the last checkpoint',
        code: 'RUNTIME_RECOVERED',
        phase: 'runtime',
      })
    } catch (error) {
      this.#context.fail(
        `could not recover after the PHP worker was lost: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
  }

  #onLog = (entry: PhpLogEntry): void => {
    this.#phpLog.append(entry.raw)
    const blocked = headlessLogEvent(entry)
    if (blocked) {
      this.#context.emit(blocked)
      return
    }
    this.#context.emit({ type: 'log', level: logLevel(entry), message: entry.message, source: 'php' })
    if (entry.level === 'fatal' || entry.level === 'parse') {
      this.#context.emit({
        type: 'diagnostic',
        severity: 'error',
        message: entry.message,
        code: entry.level === 'parse' ? 'PHP_PARSE_ERROR' : 'PHP_FATAL',
        phase: 'runtime',
        ...(entry.file ? { file: entry.file } : {}),
        ...(entry.line === undefined ? {} : { line: entry.line }),
      })
    }
  }

  /** Runs a command program and parses its JSON answer. */
  async #runProgram(
    code: string,
    signal: AbortSignal,
    output?: CommandContext['output'],
  ): Promise<BackendCommandOutcome> {
    const result = await this.#worker.run({ code }, { signal })
    for (const entry of result.errors) this.#onLog(entry)
    const parsed = parseProgramOutput(result.stdout)
    if (parsed?.output && output) output('stdout', parsed.output)
    if (result.stderr && output) output('stderr', result.stderr)
    if (!parsed) {
      const fatal = result.errors.find((entry) => entry.level === 'fatal' || entry.level === 'parse')
      return {
        exitCode: result.exitCode === 0 ? 1 : result.exitCode,
        stdout: result.stdout,
        stderr: result.stderr,
        message: fatal ? `PHP ${fatal.level} error: ${fatal.message}` : 'the command printed no result',
      }
    }
    if (parsed.error !== undefined)
      return { exitCode: result.exitCode || 1, message: parsed.error, stderr: result.stderr }
    return { exitCode: result.exitCode, value: parsed.value, stdout: JSON.stringify(parsed.value) }
  }

  async mount(
    spec: { source: string; target: string; mode: 'readonly' | 'readwrite' },
    context: BackendCallContext,
  ): Promise<BackendMount> {
    const real = await resolveMountSource(spec.source)
    this.#context.assertMountAllowed(real, spec.mode)
    const id = `m${this.#nextMount++}`
    const mount = await prepareMount(id, spec, real)
    try {
      const undo = await this.#queue.run(() =>
        this.#worker.mount(
          { hostPath: mount.mountedPath, vfsPath: mount.target, readOnly: mount.mode === 'readonly' },
          { signal: context.signal },
        ),
      )
      this.#mounts.set(id, mount)
      this.#workerMounts.set(id, undo)
    } catch (error) {
      await disposeMount(mount)
      throw error
    }
    return {
      id,
      source: mount.source,
      target: mount.target,
      mode: mount.mode,
      unmount: async () => {
        const undo = this.#workerMounts.get(id)
        if (!undo) return
        this.#workerMounts.delete(id)
        await this.#queue.run(() => undo())
        // The changes of a readwrite mount stay collectable until destroy.
        if (mount.mode === 'readonly') {
          this.#mounts.delete(id)
          await disposeMount(mount)
        }
      },
    }
  }

  execute(command: string, args: unknown, context: CommandContext): Promise<BackendCommandOutcome> {
    return this.#queue.run(async () => {
      context.signal.throwIfAborted()
      try {
        const outcome = await this.#dispatch(command, args, context)
        await this.#saveDatabase()
        return outcome
      } catch (error) {
        if (isPhpWorkerTerminatedError(error)) {
          // The worker is gone (the command was stopped, or PHP crashed). Recover in the background, holding the
          // queue, so this command settles at once and the next one runs on the recovered runtime.
          void this.#queue.run(() => this.#recover())
          if (error.reason === 'crashed') {
            return { exitCode: 134, message: `PHP crashed while running ${command}: ${error.message}` }
          }
        }
        throw error
      }
    })
  }

  async #saveDatabase(): Promise<void> {
    try {
      this.#lastDatabase = await this.#worker.readFile(`${DOCUMENT_ROOT}/${DATABASE_PATH}`)
    } catch {
      // A runtime without the database file (should not happen) simply has nothing to save.
    }
  }

  async #dispatch(command: string, args: unknown, context: CommandContext): Promise<BackendCommandOutcome> {
    const { signal, output } = context
    switch (command) {
      case 'wordpress.run-php':
        return this.#runPhp(args as z.output<typeof RunPhpArgs>, context)
      case 'wordpress.http-request':
        return this.#httpRequest(args as z.output<typeof HttpRequestArgs>, context)
      case 'wordpress.rest-request': {
        const outcome = await this.#runProgram(
          restRequestProgram(args as z.output<typeof RestRequestArgs>),
          signal,
          output,
        )
        return outcome
      }
      case 'wordpress.graphql':
        return this.#graphql(args as z.output<typeof GraphqlArgs>, context)
      case 'wordpress.plugin-activate':
        return this.#runProgram(pluginActivateProgram(args), signal, output)
      case 'wordpress.plugin-deactivate':
        return this.#runProgram(pluginDeactivateProgram(args), signal, output)
      case 'wordpress.plugin-list':
        return this.#runProgram(pluginListProgram(), signal, output)
      case 'wordpress.option-get':
        return this.#runProgram(optionGetProgram(args), signal, output)
      case 'wordpress.option-set':
        return this.#runProgram(optionSetProgram(args), signal, output)
      case 'wordpress.wp-cli':
        return this.#wpCliCommand((args as { argv: string[] }).argv, context)
      default:
        return { exitCode: 127, message: `The playground backend has no command ${command}` }
    }
  }

  async #runPhp(args: z.output<typeof RunPhpArgs>, context: CommandContext): Promise<BackendCommandOutcome> {
    let input: { code: string } | { scriptPath: string }
    if (args.bootstrap === 'wordpress') {
      // The user's code runs from its own file after wp-load, so its `<?php` tag and declare() stay valid.
      const path = `/internal/codebox/run-${context.commandId}.php`
      await this.#worker.writeFile(path, args.code)
      await this.#worker.writeFile(
        `/internal/codebox/boot-${context.commandId}.php`,
        `<?php require_once '${DOCUMENT_ROOT}/wp-load.php'; require '${path}';`,
      )
      input = { scriptPath: `/internal/codebox/boot-${context.commandId}.php` }
    } else {
      input = { code: args.code }
    }
    try {
      const result = await this.#worker.run(input, {
        signal: context.signal,
        onOutput: ({ stream, chunk }) => context.output(stream, decoder.decode(chunk)),
      })
      for (const entry of result.errors) this.#onLog(entry)
      const fatal = result.errors.find((entry) => entry.level === 'fatal' || entry.level === 'parse')
      return {
        exitCode: result.exitCode,
        value: fatal
          ? {
              fatal: {
                message: fatal.message,
                ...(fatal.file ? { file: fatal.file } : {}),
                ...(fatal.line ? { line: fatal.line } : {}),
              },
            }
          : {},
        ...(fatal
          ? {
              message: `PHP ${fatal.level} error: ${fatal.message}${fatal.file ? ` in ${fatal.file}:${fatal.line}` : ''}`,
            }
          : {}),
      }
    } finally {
      if (args.bootstrap === 'wordpress' && !context.signal.aborted) {
        await this.#worker.unlink(`/internal/codebox/run-${context.commandId}.php`).catch(() => {})
        await this.#worker.unlink(`/internal/codebox/boot-${context.commandId}.php`).catch(() => {})
      }
    }
  }

  async #httpRequest(
    args: z.output<typeof HttpRequestArgs>,
    context: CommandContext,
  ): Promise<BackendCommandOutcome> {
    const url = new URL(args.path, 'http://codebox.invalid')
    for (const [name, value] of Object.entries(args.query ?? {})) url.searchParams.set(name, value)
    const headers: Record<string, string> = { ...(args.headers ?? {}) }
    let body: string | undefined
    if (typeof args.body === 'string') body = args.body
    else if (args.body !== undefined) {
      body = JSON.stringify(args.body)
      headers['content-type'] ??= 'application/json'
    }
    const response = await this.#worker.request(
      {
        method: args.method,
        url: `${url.pathname}${url.search}`,
        headers,
        ...(body === undefined ? {} : { body }),
      },
      { signal: context.signal },
    )
    for (const entry of response.errors) this.#onLog(entry)
    const text = decoder.decode(response.body)
    return {
      exitCode: 0,
      stdout: text,
      value: {
        status: response.status,
        headers: flattenHeaders(response.headers),
        body: text,
        durationMs: Math.round(response.durationMs),
      },
    }
  }

  async #graphql(
    args: z.output<typeof GraphqlArgs>,
    context: CommandContext,
  ): Promise<BackendCommandOutcome> {
    const started = performance.now()
    const body = JSON.stringify({
      query: args.query,
      variables: args.variables ?? {},
      operationName: args.operationName,
    })
    const bytes = Buffer.byteLength(body)
    if (bytes > this.#options.graphql.maxBodyBytes) {
      const refused = bodyTooLargeResponse(bytes, this.#options.graphql.maxBodyBytes)
      return {
        exitCode: 1,
        stdout: JSON.stringify(refused),
        message: `GraphQL errors: ${refused.errors[0]?.message}`,
        value: { data: null, errors: refused.errors, extensions: undefined, httpStatus: 413, durationMs: 0 },
      }
    }
    const response = await this.#worker.request(
      {
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', ...(args.headers ?? {}) },
        body,
      },
      { signal: context.signal },
    )
    for (const entry of response.errors) this.#onLog(entry)
    const text = decoder.decode(response.body)
    let parsed: { data?: unknown; errors?: unknown[]; extensions?: unknown } | undefined
    try {
      parsed = JSON.parse(text) as typeof parsed
    } catch {
      parsed = undefined
    }
    const durationMs = Math.round(performance.now() - started)
    if (!parsed || typeof parsed !== 'object') {
      return {
        exitCode: 1,
        stdout: text,
        message: `/graphql answered HTTP ${response.status} without GraphQL JSON; is WPGraphQL installed and active? (plugins: ['wp-graphql'])`,
        value: {
          data: null,
          errors: undefined,
          extensions: undefined,
          httpStatus: response.status,
          durationMs,
        },
      }
    }
    const value = {
      data: parsed.data ?? null,
      errors: parsed.errors,
      extensions: parsed.extensions,
      httpStatus: response.status,
      durationMs,
    }
    const failed = (parsed.errors?.length ?? 0) > 0
    return {
      exitCode: failed ? 1 : 0,
      stdout: text,
      value,
      ...(failed ? { message: `GraphQL errors: ${JSON.stringify(parsed.errors).slice(0, 500)}` } : {}),
    }
  }

  async #wpCliCommand(argv: readonly string[], context: CommandContext): Promise<BackendCommandOutcome> {
    await this.#resolveWpCli(context.signal)
    const args = argv[0] === 'wp' ? argv.slice(1) : argv
    const result = await this.#worker.run(
      { code: wpCliProgram('/internal/codebox/wp-cli/wp-cli.phar', args) },
      {
        signal: context.signal,
        onOutput: ({ stream, chunk }) => context.output(stream, decoder.decode(chunk)),
      },
    )
    for (const entry of result.errors) this.#onLog(entry)
    return { exitCode: result.exitCode, value: undefined }
  }

  async #resolveWpCli(signal: AbortSignal): Promise<ResolvedTool> {
    if (this.#wpCli) return this.#wpCli
    const resolver = createResourceResolver({
      cacheDir: this.#cacheDir,
      ...(this.#options.download === undefined ? {} : { download: this.#options.download }),
    })
    const resolved = await resolver.resolveTool(
      this.#options.wpCli ? { name: 'wp-cli' as const, source: this.#options.wpCli } : 'wp-cli',
      { signal },
    )
    await this.#worker.writeFile(
      '/internal/codebox/wp-cli/wp-cli.phar',
      new Uint8Array(await readFile(resolved.path)),
    )
    this.#wpCli = resolved
    this.#context.emit({
      type: 'log',
      level: 'info',
      message: `wp-cli ${resolved.version} (${resolved.sha256}) from ${resolved.origin}`,
      source: 'resources',
    })
    return resolved
  }

  /** Encodes the site layer's differences from the template as a snapshot file. */
  async #encodeSiteSnapshot(signal?: AbortSignal): Promise<Uint8Array> {
    const exported = await this.#worker.exportDir(DOCUMENT_ROOT, {
      skipMounts: true,
      ...(signal ? { signal } : {}),
    })
    const template = await templateHashesOf(this.#template.siteDir)
    const files = new Map<string, Uint8Array>()
    const present = new Set<string>()
    for (const file of exported) {
      present.add(file.path)
      if (template.get(file.path) !== sha256Of(file.bytes)) files.set(file.path, file.bytes)
    }
    const deleted = [...template.keys()].filter((path) => !present.has(path)).sort()
    return encodeSnapshot(
      {
        id: `snap_${nanoid(12)}`,
        createdAt: new Date().toISOString(),
        backend: 'playground',
        php: this.#options.php,
        wordpress: this.#template.wordpressVersion,
        layers: {
          core: `sha256:${this.#template.coreSha256}`,
          sqlite: `sha256:${this.#template.sqliteSha256}`,
          plugins: this.#plugins.map((plugin) => ({
            slug: plugin.slug,
            version: plugin.version,
            sha256: plugin.sha256,
          })),
        },
        deleted,
      },
      files,
    )
  }

  async #applySnapshot(
    files: ReadonlyMap<string, Uint8Array>,
    deleted: readonly string[],
    signal?: AbortSignal,
  ): Promise<void> {
    for (const path of deleted)
      await this.#worker.unlink(`${DOCUMENT_ROOT}/${path}`, signal ? { signal } : {}).catch(() => {})
    for (const [path, bytes] of files)
      await this.#worker.writeFile(`${DOCUMENT_ROOT}/${path}`, bytes, signal ? { signal } : {})
  }

  snapshot(context: BackendCallContext): Promise<RuntimeSnapshot> {
    return this.#queue.run(async () => {
      const bytes = await this.#encodeSiteSnapshot(context.signal)
      const { manifest } = await decodeSnapshot(bytes)
      this.#recoveryPoint = bytes
      return {
        format: 'codebox/playground-snapshot/v1',
        backend: 'playground',
        id: manifest.id,
        createdAt: manifest.createdAt,
        bytes,
      }
    })
  }

  checkpoint(name: string, context: BackendCallContext): Promise<void> {
    return this.#queue.run(async () => {
      const bytes = await this.#encodeSiteSnapshot(context.signal)
      this.#checkpoints.set(name, bytes)
      this.#recoveryPoint = bytes
    })
  }

  restore(name: string, context: BackendCallContext): Promise<void> {
    return this.#queue.run(async () => {
      const bytes = this.#checkpoints.get(name)
      if (!bytes) {
        throw new BackendPlaygroundError(
          'CHECKPOINT_UNKNOWN',
          `No checkpoint named ${JSON.stringify(name)}; known: ${[...this.#checkpoints.keys()].join(', ') || '(none)'}.`,
          {
            details: { name },
          },
        )
      }
      const current = await this.#worker.exportDir(DOCUMENT_ROOT, {
        skipMounts: true,
        signal: context.signal,
      })
      const decoded = await decodeSnapshot(bytes)
      const templateFiles = await templateHashesOf(this.#template.siteDir)
      // Files the runtime added after the checkpoint (not in the template, not in the checkpoint) go away.
      const extra = current
        .map((file) => file.path)
        .filter((path) => !decoded.files.has(path) && !templateFiles.has(path))
      for (const path of extra) await this.#worker.unlink(`${DOCUMENT_ROOT}/${path}`).catch(() => {})
      // Template files changed since the checkpoint go back to the template version, then the checkpoint applies.
      for (const file of current) {
        if (decoded.files.has(file.path) || !templateFiles.has(file.path)) continue
        if (templateFiles.get(file.path) !== sha256Of(file.bytes)) {
          await this.#worker.writeFile(
            `${DOCUMENT_ROOT}/${file.path}`,
            new Uint8Array(await readFile(join(this.#template.siteDir, file.path))),
          )
        }
      }
      await this.#applySnapshot(decoded.files, decoded.manifest.deleted, context.signal)
      this.#recoveryPoint = bytes
      await this.#saveDatabase()
    })
  }

  async collect(_context: BackendCallContext): Promise<BackendCollectContribution> {
    const mounts = [...this.#mounts.values()].filter((mount) => mount.mode === 'readwrite')
    const files: ChangedFile[] = []
    for (const mount of mounts) files.push(...(await diffMount(mount)))
    return {
      logs: { 'php-error.log': this.#phpLog.text(), 'boot.log': this.#bootLog.text() },
      ...(mounts.length > 0
        ? {
            changes: {
              mounts: mounts.map((mount) => ({ id: mount.id, source: mount.source, target: mount.target })),
              files,
            },
          }
        : {}),
    }
  }

  async destroy(): Promise<void> {
    if (this.#destroyed) return
    this.#destroyed = true
    await this.#worker.terminate()
    // A recovery may be booting a replacement worker right now; it sees #destroyed and stops it, but wait for it
    // so that no PHP worker outlives destroy() and keeps the process alive.
    await this.#recovering
    await Promise.all([...this.#mounts.values()].map((mount) => disposeMount(mount)))
    this.#mounts.clear()
  }

  destroySync(): void {
    this.#destroyed = true
    void this.#worker.terminate()
    // At process exit nothing can be awaited: remove the readwrite mounts' private copies synchronously.
    for (const mount of this.#mounts.values()) {
      try {
        disposeMountSync(mount)
      } catch {
        // Best effort at exit.
      }
    }
    this.#mounts.clear()
  }
}
