import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { CliError } from './cli-error.js'
import { type CliIo, reportError } from './cli-output.js'
import { bundleVerifyCommand } from './commands/bundle-verify-command.js'
import { cacheAddCommand, cacheListCommand } from './commands/cache-command.js'
import { registerHostCommands } from './commands/register-host-commands.js'
import { runCommand } from './commands/run-command.js'
import { runtimeManifestCommand } from './commands/runtime-manifest-command.js'
import { schemaCommand } from './commands/schema-command.js'
import { serveCommand } from './commands/serve-command.js'
import { workerCommand } from './commands/worker-command.js'
import { EXIT_CODES, type ExitCode } from './exit-codes.js'

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value)
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`)
    }
    return parsed
  }
}

/**
 * Runs the `codebox` command line with `argv` (without the node and script entries) and resolves to its exit code.
 * Never calls `process.exit` itself (except on a second interrupt of `run`).
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2))
 */
export async function runCli(argv: readonly string[], io: CliIo = process): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT_CODES.OK
  const wantsJson = argv.includes('--json')
  const program = new Command('codebox')
    .description(
      'Run workspace recipes in disposable WordPress runtimes, serve headless GraphQL, verify bundles.',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // Usage errors are reported below in codebox's own format (and as JSON with --json).
      writeErr: (text) => {
        if (!wantsJson && !text.startsWith('error:')) io.stderr.write(text)
      },
    })
  const cacheDir = () =>
    new Option('--cache-dir <dir>', 'cache directory (default $CODEBOX_CACHE_DIR or ~/.cache/codebox)')

  program
    .command('run')
    .description('run a wp-codebox/workspace-recipe/v1 recipe and write its artifact bundle')
    .argument('<recipe>', 'recipe JSON file')
    .option('--artifacts <dir>', "bundle folder (overrides the recipe's artifacts.directory)")
    .option('--json', 'print one JSON document (codebox/cli-result/v1) instead of progress and a summary')
    .option('--offline', 'never download resources (like CODEBOX_OFFLINE=1)')
    .option(
      '--timeout <ms>',
      'deadline of the whole run in milliseconds',
      integer('--timeout', 1, 86_400_000),
    )
    .addOption(cacheDir())
    .action(async (recipe: string, options: Record<string, unknown>) => {
      exitCode = await runCommand(
        recipe,
        {
          ...(options.artifacts === undefined ? {} : { artifacts: String(options.artifacts) }),
          json: options.json === true,
          offline: options.offline === true,
          ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout as number }),
          ...(options.cacheDir === undefined ? {} : { cacheDir: String(options.cacheDir) }),
        },
        io,
      )
    })

  program
    .command('serve')
    .description('serve a headless WordPress (GraphQL and REST) on loopback until interrupted')
    .option('--port <port>', 'TCP port (default: an ephemeral port)', integer('--port', 0, 65_535))
    .option('--host <host>', 'loopback address (default 127.0.0.1)')
    .addOption(new Option('--recipe <file>', 'prepare the site with this recipe').conflicts('snapshot'))
    .option('--snapshot <file>', 'restore this snapshot file')
    .option('--json', 'print one JSON document with the URLs once listening')
    .option('--offline', 'never download resources')
    .addOption(cacheDir())
    .action(async (options: Record<string, unknown>) => {
      exitCode = await serveCommand(
        {
          ...(options.port === undefined ? {} : { port: options.port as number }),
          ...(options.host === undefined ? {} : { host: String(options.host) }),
          ...(options.recipe === undefined ? {} : { recipe: String(options.recipe) }),
          ...(options.snapshot === undefined ? {} : { snapshot: String(options.snapshot) }),
          json: options.json === true,
          offline: options.offline === true,
          ...(options.cacheDir === undefined ? {} : { cacheDir: String(options.cacheDir) }),
        },
        io,
      )
    })

  registerHostCommands(program, io, (code) => {
    exitCode = code
  })
  program
    .command('worker')
    .description(
      'take recipe jobs from a BullMQ queue on Redis and run them until SIGINT/SIGTERM (then drain)',
    )
    .option(
      '--redis <url>',
      'Redis URL, redis://[user:password@]host[:port][/db] (default $CODEBOX_REDIS_URL)',
    )
    .requiredOption('--artifacts <url>', 'bundle store: file:///dir, a directory, or s3://bucket/prefix')
    .option('--concurrency <n>', 'recipes run at once (default 1)', integer('--concurrency', 1, 64))
    .option('--queue <name>', 'BullMQ queue name (default codebox-recipes)')
    .option(
      '--pool <n|auto>',
      "PHP workers booted ahead per site configuration, 0 for none, or 'auto': 1 while the workers on this host leave a core for it (default auto)",
      (value: string) => {
        const size = Number(value)
        if (value === 'auto') return value
        if (!Number.isInteger(size) || size < 0 || size > 16)
          throw new InvalidArgumentError("--pool must be 'auto' or a whole number from 0 to 16")
        return size
      },
    )
    .option('--base-dir <dir>', 'directory holding the host files jobs may use (default: none allowed)')
    .option(
      '--grace <ms>',
      'how long running jobs may finish after SIGTERM (default 60000)',
      integer('--grace', 0, 86_400_000),
    )
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for s3:// (default AWS_ENDPOINT_URL_S3 or AWS)')
    .option(
      '--lock-duration <ms>',
      "how soon a dead worker's job is handed on (default 30000)",
      integer('--lock-duration', 1_000, 3_600_000),
    )
    .option(
      '--stalled-interval <ms>',
      'how often to look for stalled jobs (default 30000)',
      integer('--stalled-interval', 500, 3_600_000),
    )
    .option('--json', 'print one JSON document once the worker takes jobs')
    .option('--offline', 'never download resources')
    .addOption(cacheDir())
    .action(async (options: Record<string, unknown>) => {
      const number = (name: string) =>
        options[name] === undefined ? {} : { [name]: options[name] as number }
      exitCode = await workerCommand(
        {
          ...(options.redis === undefined ? {} : { redis: String(options.redis) }),
          artifacts: String(options.artifacts),
          ...number('concurrency'),
          ...(options.queue === undefined ? {} : { queue: String(options.queue) }),
          ...(options.pool === undefined ? {} : { pool: options.pool as number | 'auto' }),
          ...(options.baseDir === undefined ? {} : { baseDir: String(options.baseDir) }),
          ...(options.grace === undefined ? {} : { graceMs: options.grace as number }),
          ...(options.s3Endpoint === undefined ? {} : { s3Endpoint: String(options.s3Endpoint) }),
          ...(options.lockDuration === undefined ? {} : { lockDurationMs: options.lockDuration as number }),
          ...(options.stalledInterval === undefined
            ? {}
            : { stalledIntervalMs: options.stalledInterval as number }),
          json: options.json === true,
          offline: options.offline === true,
          ...(options.cacheDir === undefined ? {} : { cacheDir: String(options.cacheDir) }),
        },
        io,
      )
    })

  const bundle = program.command('bundle').description('work with artifact bundles')
  bundle
    .command('verify')
    .description('verify a bundle directory or .tar.gz: digests, manifest, attestation')
    .argument('<path>', 'bundle directory or .tar.gz')
    .option(
      '--public-key <pem>',
      'require the attestation to be signed by this Ed25519 public key (PEM file)',
    )
    .option('--json', 'print one JSON document with the verification report')
    .action(async (path: string, options: Record<string, unknown>) => {
      exitCode = await bundleVerifyCommand(
        path,
        {
          json: options.json === true,
          ...(options.publicKey === undefined ? {} : { publicKey: String(options.publicKey) }),
        },
        io,
      )
    })

  const cache = program.command('cache').description('seed and inspect the resource cache (offline)')
  cache
    .command('add')
    .description(
      'add a plugin zip or directory, a wp-cli.phar, a WordPress release, or a part of the PHPUnit toolkit (phpunit-9.6.N.phar or a PHPUnit 9 tree, the PHPUnit Polyfills, a WordPress test library) to the cache',
    )
    .argument('<source>', 'a .zip, .phar or directory')
    .option('--slug <slug>', 'plugin slug (default: from the zip or directory)')
    .option(
      '--version <version>',
      'version (default: from the plugin header or phar); for a WordPress test library, the WordPress version it belongs to (required)',
    )
    .option(
      '--sha256 <hash>',
      'expected SHA-256 of the zip or phar (of the content, for a PHPUnit toolkit directory or zip)',
    )
    .option('--json', 'print one JSON document with the cached resource')
    .addOption(cacheDir())
    .action(async (source: string, options: Record<string, unknown>) => {
      exitCode = await cacheAddCommand(
        source,
        {
          json: options.json === true,
          ...(options.slug === undefined ? {} : { slug: String(options.slug) }),
          ...(options.version === undefined ? {} : { version: String(options.version) }),
          ...(options.sha256 === undefined ? {} : { sha256: String(options.sha256) }),
          ...(options.cacheDir === undefined ? {} : { cacheDir: String(options.cacheDir) }),
        },
        io,
      )
    })
  cache
    .command('list')
    .description('list cached plugins and tools with their hashes')
    .option('--json', 'print one JSON document with the entries')
    .addOption(cacheDir())
    .action(async (options: Record<string, unknown>) => {
      exitCode = await cacheListCommand(
        {
          json: options.json === true,
          ...(options.cacheDir === undefined ? {} : { cacheDir: String(options.cacheDir) }),
        },
        io,
      )
    })

  program
    .command('runtime')
    .description('describe the PHP runtime')
    .command('manifest')
    .description(
      'print the PHP runtime by digest: the .wasm module, each extension .so, the loaded extensions',
    )
    .option('--php <version>', 'PHP version (default 8.3)')
    .option('--json', 'print one JSON document (codebox/php-runtime-manifest/v1 as its result)')
    .addOption(cacheDir())
    .action(async (options: Record<string, unknown>) => {
      exitCode = await runtimeManifestCommand(
        {
          json: options.json === true,
          ...(options.php === undefined ? {} : { php: String(options.php) }),
          ...(options.cacheDir === undefined ? {} : { cacheDir: String(options.cacheDir) }),
        },
        io,
      )
    })

  program
    .command('schema')
    .description('print a JSON Schema (recipe)')
    .argument('<name>', 'schema name: recipe')
    .action((name: string) => {
      exitCode = schemaCommand(name, io)
    })

  try {
    await program.parseAsync([...argv], { from: 'user' })
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_CODES.OK
      if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync') {
        return EXIT_CODES.USAGE
      }
      const message = error.message.replace(/^error:\s*/, '')
      return reportError(io, argv[0] ?? '', new CliError('CLI_USAGE', message), wantsJson)
    }
    return reportError(io, argv[0] ?? '', error, wantsJson)
  }
}
