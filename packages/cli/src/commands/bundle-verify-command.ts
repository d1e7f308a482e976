import { readFile, stat } from 'node:fs/promises'
import { verifyBundle } from '@codebox/artifacts'
import { CliError } from '../cli-error.js'
import { type CliIo, describeError, reportError, writeJson } from '../cli-output.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'

/** Options of `codebox bundle verify`. */
export interface BundleVerifyOptions {
  readonly json?: boolean
  /** PEM file of the Ed25519 public key the attestation must be signed with. */
  readonly publicKey?: string
}

/** `codebox bundle verify <path>`: checks every file's digest, the manifest and the attestation. */
export async function bundleVerifyCommand(
  path: string,
  options: BundleVerifyOptions,
  io: CliIo,
): Promise<ExitCode> {
  const json = options.json === true
  try {
    let publicKey: string | undefined
    if (options.publicKey !== undefined) {
      publicKey = await readFile(options.publicKey, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new CliError(
          'CLI_FILE_NOT_FOUND',
          `Cannot read ${options.publicKey}: ${error.code ?? error.message}`,
        )
      })
    }
    // A path that is not there is a usage problem (exit 3), not a bundle that failed verification (exit 1).
    await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new CliError('CLI_FILE_NOT_FOUND', `Cannot read bundle ${path}: ${error.code ?? error.message}`, {
        details: { path, reason: error.code ?? 'unknown' },
      })
    })
    const report = await verifyBundle(path, publicKey === undefined ? {} : { publicKey })
    const exitCode = report.ok ? EXIT_CODES.OK : EXIT_CODES.FAILED
    const error = report.ok
      ? null
      : describeError(
          new CliError(
            'BUNDLE_INVALID',
            `The bundle did not verify: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`,
            {
              details: {
                issues: report.problems.map((p) => ({
                  path: p.path || '.',
                  message: `[${p.code}] ${p.message}`,
                })),
              },
            },
          ),
        ).document
    if (json) {
      writeJson(io, { command: 'bundle verify', ok: report.ok, exitCode, result: report, error })
    } else if (report.ok) {
      io.stdout.write(`bundle ${path}: ok\n`)
    } else {
      io.stdout.write(`bundle ${path}: NOT valid\n`)
      for (const problem of report.problems) {
        io.stdout.write(`  [${problem.code}] ${problem.path ? `${problem.path}: ` : ''}${problem.message}\n`)
      }
      if (error) io.stderr.write(`error[${error.code}]: ${error.message}\n  fix: ${error.fix}\n`)
    }
    return exitCode
  } catch (error) {
    return reportError(io, 'bundle verify', error, json)
  }
}
