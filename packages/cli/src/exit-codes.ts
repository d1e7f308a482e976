/**
 * The `codebox` exit codes. Stable: scripts may branch on them.
 *
 * | code | name | meaning |
 * | --- | --- | --- |
 * | 0 | `OK` | the command succeeded (a recipe ran and every phase passed; a bundle verified) |
 * | 1 | `FAILED` | the command ran and its answer is negative: a recipe step or health probe failed (see diagnostics), a bundle did not verify |
 * | 2 | `USAGE` | bad arguments, unreadable JSON, or an invalid recipe (each issue printed with its JSON path) |
 * | 3 | `UNAVAILABLE` | a file, plugin, tool or WordPress build is not available (offline and not cached) |
 * | 4 | `CREDENTIALS` | a connector credential is missing or denied; nothing was booted (fail closed) |
 * | 5 | `DENIED` | the policy or an approval refused something the recipe needs before it could run |
 * | 6 | `TIMEOUT` | the run or the boot did not finish within its deadline |
 * | 70 | `INTERNAL` | an unexpected error (a bug): please report it with the printed code |
 * | 130 | `INTERRUPTED` | interrupted by SIGINT/SIGTERM (a recipe run still writes its bundle) |
 */
export const EXIT_CODES = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  UNAVAILABLE: 3,
  CREDENTIALS: 4,
  DENIED: 5,
  TIMEOUT: 6,
  INTERNAL: 70,
  INTERRUPTED: 130,
} as const

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES]

/** The exit code for an error `code` from any codebox package. */
export function exitCodeFor(code: string): ExitCode {
  // A negative answer (checked before the `_INVALID` rule: a bundle that fails verification is not a usage error).
  if (code === 'RECIPE_FAILED' || code === 'BUNDLE_INVALID' || code === 'BUNDLE_WRITE_FAILED') {
    return EXIT_CODES.FAILED
  }
  // A damaged PHP module is a broken installation, not bad input (checked before the `_INVALID` rule).
  if (code === 'PHP_MODULE_INVALID') return EXIT_CODES.UNAVAILABLE
  if (
    code === 'CLI_USAGE' ||
    code.endsWith('_INVALID') ||
    code === 'COMMAND_INVALID_ARGS' ||
    code === 'COMMAND_UNKNOWN' ||
    code === 'RECIPE_JSON_INVALID'
  ) {
    return EXIT_CODES.USAGE
  }
  if (code === 'SERVE_HOST_NOT_LOOPBACK' || code === 'PHP_VERSION_UNSUPPORTED') return EXIT_CODES.USAGE
  if (['HOST_NOT_LOOPBACK', 'HOST_USAGE', 'HOST_TENANT_UNKNOWN', 'HOST_USER_EXISTS'].includes(code)) {
    return EXIT_CODES.USAGE
  }
  if (code === 'HOST_MEDIA_CREDENTIALS_MISSING') return EXIT_CODES.CREDENTIALS
  if (
    [
      'TENANT_MANIFEST_UNREADABLE',
      'HOST_BACKUP_UNREADABLE',
      'HOST_DATA_DIR_LOCKED',
      'HOST_TENANT_UNAVAILABLE',
    ].includes(code)
  ) {
    return EXIT_CODES.UNAVAILABLE
  }
  if (code === 'SERVE_LISTEN_FAILED') return EXIT_CODES.UNAVAILABLE
  if (code === 'QUEUE_REDIS_UNREACHABLE' || code === 'ARTIFACT_STORE_UNREACHABLE')
    return EXIT_CODES.UNAVAILABLE
  if (code.startsWith('CONNECTOR_CREDENTIAL')) return EXIT_CODES.CREDENTIALS
  if (code === 'OPERATION_TIMED_OUT') return EXIT_CODES.TIMEOUT
  if (code === 'OPERATION_ABORTED') return EXIT_CODES.INTERRUPTED
  if (code.startsWith('POLICY_') || code === 'APPROVAL_DENIED' || code === 'PLUGIN_NOT_APPROVED') {
    return EXIT_CODES.DENIED
  }
  if (
    code.startsWith('RESOURCE_') ||
    code === 'CLI_FILE_NOT_FOUND' ||
    code === 'SNAPSHOT_LAYER_MISMATCH' ||
    code === 'WORDPRESS_BUILD_UNAVAILABLE' ||
    code === 'WORDPRESS_UNAVAILABLE'
  ) {
    return EXIT_CODES.UNAVAILABLE
  }
  return EXIT_CODES.INTERNAL
}
