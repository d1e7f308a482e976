import path from 'node:path'
import { hostAdmin, type UserRole } from '@codebox/host'
import { type CliIo, reportError, writeJson } from '../cli-output.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'

/** What every `codebox host` admin command needs: the same manifest and data directory the host runs with. */
export interface HostAdminCommandOptions {
  readonly tenants: string
  readonly data: string
  readonly json?: boolean
  readonly offline?: boolean
  readonly cacheDir?: string
}

function admin(options: HostAdminCommandOptions) {
  return hostAdmin({
    manifest: options.tenants,
    dataDir: options.data,
    ...(options.offline ? { download: false } : {}),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
  })
}

/**
 * `codebox host user add <tenant> <login> --role editor`: adds a user with an application password and prints the
 * password once, on stdout only (nothing else keeps it). Through the running host's admin socket, or offline.
 */
export async function hostUserAddCommand(
  tenant: string,
  login: string,
  role: UserRole,
  options: HostAdminCommandOptions,
  io: CliIo,
): Promise<ExitCode> {
  const json = options.json === true
  try {
    const user = await admin(options).addUser(tenant, login, role)
    if (json)
      writeJson(io, {
        command: 'host user add',
        ok: true,
        exitCode: EXIT_CODES.OK,
        result: user,
        error: null,
      })
    else {
      io.stdout.write(`added ${role} "${login}" to tenant ${tenant} (user ${user.userId})\n`)
      io.stdout.write(`application password (shown once; use it as HTTP Basic credentials with the login):\n`)
      io.stdout.write(`${user.applicationPassword}\n`)
    }
    return EXIT_CODES.OK
  } catch (error) {
    return reportError(io, 'host user add', error, json)
  }
}

/** `codebox host backup <tenant> [--out file]`: writes the tenant's site (database included) as a snapshot file. */
export async function hostBackupCommand(
  tenant: string,
  options: HostAdminCommandOptions & { readonly out?: string },
  io: CliIo,
): Promise<ExitCode> {
  const json = options.json === true
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const out = path.resolve(options.out ?? `${tenant}-${stamp}.codebox-snapshot`)
  try {
    const result = await admin(options).backup(tenant, out)
    if (json)
      writeJson(io, { command: 'host backup', ok: true, exitCode: EXIT_CODES.OK, result, error: null })
    else io.stdout.write(`backed up tenant ${tenant} to ${result.file} (${result.bytes} bytes)\n`)
    return EXIT_CODES.OK
  } catch (error) {
    return reportError(io, 'host backup', error, json)
  }
}

/** `codebox host restore <tenant> <file>`: restores a backup, after an automatic snapshot of the current state. */
export async function hostRestoreCommand(
  tenant: string,
  file: string,
  options: HostAdminCommandOptions,
  io: CliIo,
): Promise<ExitCode> {
  const json = options.json === true
  try {
    const result = await admin(options).restore(tenant, file)
    if (json)
      writeJson(io, { command: 'host restore', ok: true, exitCode: EXIT_CODES.OK, result, error: null })
    else io.stdout.write(`restored tenant ${tenant} from ${path.resolve(file)}\n`)
    return EXIT_CODES.OK
  } catch (error) {
    return reportError(io, 'host restore', error, json)
  }
}
