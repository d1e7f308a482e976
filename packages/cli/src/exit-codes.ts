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
  if (
    code === 'CLI_USAGE' ||
    code.endsWith('_INVALID') ||
    code === 'COMMAND_INVALID_ARGS' ||
    code === 'COMMAND_UNKNOWN' ||
    code === 'RECIPE_JSON_INVALID'
  ) {
    return EXIT_CODES.USAGE
  }
  if (code === 'SERVE_HOST_NOT_LOOPBACK') return EXIT_CODES.USAGE
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
    code === 'WORDPRESS_BUILD_UNAVAILABLE'
  ) {
    return EXIT_CODES.UNAVAILABLE
  }
  return EXIT_CODES.INTERNAL
}

/** How to fix an error with this `code`, in one sentence. */
export function fixFor(code: string): string {
  switch (code) {
    case 'RECIPE_INVALID':
      return 'correct each field named by its JSON path; `codebox schema recipe` prints the full schema'
    case 'RECIPE_JSON_INVALID':
      return 'the file is not valid JSON; fix the syntax at the reported position'
    case 'CLI_USAGE':
      return 'run `codebox --help` (or `codebox <command> --help`) for the accepted arguments'
    case 'CLI_FILE_NOT_FOUND':
      return 'check the path; relative paths resolve against the current directory'
    case 'RESOURCE_UNAVAILABLE':
      return 'add the artifact to the cache with `codebox cache add <zip|dir|phar>`, give a local source, or allow downloads (unset CODEBOX_OFFLINE)'
    case 'RESOURCE_INTEGRITY_MISMATCH':
      return 'the file differs from its pinned sha256; fetch the exact release or update the pin'
    case 'CONNECTOR_CREDENTIALS_UNAVAILABLE':
      return 'export each missing secret as an environment variable of the same name, or remove the connector from the recipe'
    case 'POLICY_MOUNT_DENIED':
      return 'allow the mount source in policy.filesystem.mounts (absolute host path), or omit policy to infer it from the recipe'
    case 'POLICY_INVALID':
      return 'correct the policy fields named in the message'
    case 'OPERATION_TIMED_OUT':
      return 'raise the deadline (--timeout / step timeoutMs) or make the step do less'
    case 'OPERATION_ABORTED':
      return 'the run was interrupted; run it again'
    case 'RECIPE_FAILED':
      return "read the diagnostics (listed above, and in the bundle's diagnostics.json), fix the failing step or probe, and run again"
    case 'BUNDLE_WRITE_FAILED':
      return 'check that the artifacts directory (--artifacts or artifacts.directory) is writable and has space'
    case 'BUNDLE_INVALID':
      return 'the bundle was modified or is incomplete; collect it again from the run'
    case 'PLUGIN_NOT_APPROVED':
      return 'use the approved version, or add the plugin (slug, version, sha256) to the approved-plugins manifest'
    case 'SERVE_LISTEN_FAILED':
      return 'pick another --port (0 picks a free one)'
    case 'QUEUE_REDIS_UNREACHABLE':
      return 'start redis-server or fix --redis / CODEBOX_REDIS_URL (host, port, password, database, rediss:// for TLS)'
    case 'QUEUE_REDIS_URL_INVALID':
      return 'write the Redis URL as redis://[user:password@]host[:port][/db] (rediss:// for TLS)'
    case 'ARTIFACT_STORE_UNREACHABLE':
      return 'check --artifacts: a writable directory, or an S3 bucket that exists with its endpoint (--s3-endpoint) and credentials'
    case 'ARTIFACT_STORE_URL_INVALID':
      return 'give --artifacts as file:///absolute/dir, a directory path, or s3://bucket/prefix'
    case 'SERVE_HOST_NOT_LOOPBACK':
      return 'serve listens on loopback only: use --host 127.0.0.1 or ::1'
    case 'TENANT_MANIFEST_INVALID':
    case 'TENANT_MANIFEST_JSON_INVALID':
      return 'correct each field named by its JSON path in the tenant manifest (codebox/tenant-manifest/v1)'
    case 'TENANT_MANIFEST_UNREADABLE':
      return 'check the --tenants path; relative paths resolve against the current directory'
    case 'HOST_NOT_LOOPBACK':
      return 'bind 127.0.0.1 or ::1, or pass --allow-non-loopback to bind another address on purpose'
    case 'HOST_DATA_DIR_LOCKED':
      return 'another codebox host (or admin command) uses this --data directory; stop it, or run the command while it runs (it goes through its admin socket)'
    case 'HOST_MEDIA_CREDENTIALS_MISSING':
      return 'export the environment variables the manifest names for the media store'
    case 'HOST_TENANT_UNKNOWN':
      return 'use a tenant id from the manifest'
    case 'HOST_USER_EXISTS':
      return 'pick another login'
    default:
      if (code.startsWith('PLAYGROUND_')) {
        return 'check the runtime fields of the recipe against `codebox schema recipe`'
      }
      if (code.startsWith('POLICY_') || code === 'APPROVAL_DENIED') {
        return "allow it in the recipe's policy, or omit policy to infer least privilege from the recipe"
      }
      return 'see the message; if it looks like a bug, report it with this code'
  }
}
