import { USER_ROLES, type UserRole } from '@codebox/host'
import { type Command, InvalidArgumentError, Option } from 'commander'
import type { CliIo } from '../cli-output.js'
import type { ExitCode } from '../exit-codes.js'
import { hostBackupCommand, hostRestoreCommand, hostUserAddCommand } from './host-admin-commands.js'
import { hostCommand } from './host-command.js'

function port(name: string) {
  return (value: string): number => {
    const parsed = Number(value)
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
      throw new InvalidArgumentError(`${name} must be a whole number from 0 to 65535`)
    }
    return parsed
  }
}

/** The options every `codebox host` command takes: the manifest and the data directory, and resource access. */
function withHostBasics(command: Command, required = true): Command {
  // `host` checks its two options in its action: commander checks a parent's required options for its subcommands too.
  const option = (flags: string, description: string) =>
    required ? command.requiredOption(flags, description) : command.option(flags, description)
  option('--tenants <file>', 'tenant manifest (codebox/tenant-manifest/v1)')
  option('--data <dir>', 'data directory: one directory per tenant')
  return command
    .option('--json', 'print one JSON document (codebox/cli-result/v1)')
    .option('--offline', 'never download resources')
    .addOption(
      new Option('--cache-dir <dir>', 'cache directory (default $CODEBOX_CACHE_DIR or ~/.cache/codebox)'),
    )
}

function basics(options: Record<string, unknown>) {
  return {
    tenants: String(options.tenants),
    data: String(options.data),
    json: options.json === true,
    offline: options.offline === true,
    ...(options.cacheDir === undefined ? {} : { cacheDir: String(options.cacheDir) }),
  }
}

/**
 * Registers `codebox host` (serve every tenant of a manifest) and its admin commands `host user add`, `host backup`
 * and `host restore` (through the running host's admin socket, or offline when none runs on the data directory).
 */
export function registerHostCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: ExitCode) => void,
): void {
  // `host user add … --tenants x` names the subcommand's options, not `host`'s: commander needs positional options
  // from the root down for that (the root has no options of its own besides --version and --help).
  program.enablePositionalOptions()
  const host = withHostBasics(
    program
      .command('host')
      .description(
        'serve every tenant of a manifest: headless GraphQL and REST routed by Host, until interrupted',
      ),
    false,
  )
    .enablePositionalOptions()
    .option('--port <port>', 'tenant listener port (default: an ephemeral port)', port('--port'))
    .option('--host <address>', 'tenant listener address (default 127.0.0.1)')
    .option(
      '--ops-port <port>',
      'operations listener port: /healthz, /readyz, /metrics (default: ephemeral)',
      port('--ops-port'),
    )
    .option('--ops-host <address>', 'operations listener address (default 127.0.0.1)')
    .option('--allow-non-loopback', 'allow binding an address that is not loopback')
    .action(async (options: Record<string, unknown>) => {
      for (const name of ['tenants', 'data']) {
        if (options[name] === undefined) host.error(`error: required option '--${name}' not specified`)
      }
      setExitCode(
        await hostCommand(
          {
            ...basics(options),
            ...(options.port === undefined ? {} : { port: options.port as number }),
            ...(options.host === undefined ? {} : { host: String(options.host) }),
            ...(options.opsPort === undefined ? {} : { opsPort: options.opsPort as number }),
            ...(options.opsHost === undefined ? {} : { opsHost: String(options.opsHost) }),
            allowNonLoopback: options.allowNonLoopback === true,
          },
          io,
        ),
      )
    })

  const user = host.command('user').description("manage a tenant's users")
  withHostBasics(
    user
      .command('add')
      .description('add a user with an application password (printed once)')
      .argument('<tenant>', 'tenant id')
      .argument('<login>', 'user login'),
  )
    .addOption(new Option('--role <role>', 'WordPress role').choices([...USER_ROLES]).default('editor'))
    .action(async (tenant: string, login: string, options: Record<string, unknown>) => {
      setExitCode(await hostUserAddCommand(tenant, login, options.role as UserRole, basics(options), io))
    })

  withHostBasics(
    host
      .command('backup')
      .description("write a tenant's site, database included, to a snapshot file (mode 0600)")
      .argument('<tenant>', 'tenant id'),
  )
    .option('--out <file>', 'backup file (default ./<tenant>-<time>.codebox-snapshot)')
    .action(async (tenant: string, options: Record<string, unknown>) => {
      setExitCode(
        await hostBackupCommand(
          tenant,
          { ...basics(options), ...(options.out === undefined ? {} : { out: String(options.out) }) },
          io,
        ),
      )
    })

  withHostBasics(
    host
      .command('restore')
      .description(
        'restore a backup into a tenant (an automatic snapshot of its current state is taken first)',
      )
      .argument('<tenant>', 'tenant id')
      .argument('<file>', 'backup file'),
  ).action(async (tenant: string, file: string, options: Record<string, unknown>) => {
    setExitCode(await hostRestoreCommand(tenant, file, basics(options), io))
  })
}
