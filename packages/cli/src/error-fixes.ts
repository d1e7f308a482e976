/**
 * The one-line fix printed under every CLI error (`fix: …`), by error code. Every code a codebox package raises has
 * its own entry (`error-fixes.test.ts` scans the sources and fails on a code without one).
 */
const FIXES: Readonly<Record<string, string>> = {
  // CLI and recipes
  CLI_USAGE: 'run `codebox --help` (or `codebox <command> --help`) for the accepted arguments',
  CLI_FILE_NOT_FOUND: 'check the path; relative paths resolve against the current directory',
  CLI_INTERNAL_ERROR:
    'an unexpected error inside codebox: run the same command with --json and file its output (code, message) with the command line as a bug report',
  RECIPE_INVALID: 'correct each field named by its JSON path; `codebox schema recipe` prints the full schema',
  RECIPE_JSON_INVALID: 'the file is not valid JSON; fix the syntax at the reported position',
  RECIPE_FAILED:
    "read the diagnostics (listed above, and in the bundle's diagnostics.json), fix the failing step or probe, and run again",
  // Resources: plugins, tools, WordPress releases
  RESOURCE_UNAVAILABLE:
    'add the artifact to the cache with `codebox cache add <zip|dir|phar>`, give a local source, or allow downloads (unset CODEBOX_OFFLINE)',
  RESOURCE_INTEGRITY_MISMATCH:
    'the file differs from its pinned sha256; fetch the exact release or update the pin',
  RESOURCE_SPEC_INVALID:
    'correct each plugin, tool or WordPress field named in the message (slug, version, source, sha256)',
  RESOURCE_VERSION_MISMATCH:
    'make the spec\'s version match the plugin\'s "Version:" header, or drop the version and pin sha256 for a plugin that has none',
  RESOURCE_UPSTREAM_CHANGED:
    'review the new artifact, then accept it with { updateLock: true } (or `codebox cache add` of the reviewed file), or pin the old sha256',
  RESOURCE_ARCHIVE_INVALID:
    'use a plugin zip or directory whose main PHP file (with a "Plugin Name:" header) sits at its top level, with no symlinks and no paths leaving it',
  RESOURCE_LOCK_INVALID:
    'the cache lock file (codebox.lock.json) is damaged: restore it, or delete it so first-seen hashes are recorded again',
  WORDPRESS_UNAVAILABLE:
    'use a WordPress version (6.2–6.5 bundled; another release such as "6.9" from the cache or wordpress.org; latest) or an existing path to a release zip or directory',
  WORDPRESS_BUILD_UNAVAILABLE:
    'use a bundled WordPress version, or seed the release with `codebox cache add <wordpress.zip|dir>`',
  WORDPRESS_RELEASE_INVALID:
    'point wordpress at a wordpress.org release zip or its unpacked directory (one holding wp-includes/version.php)',
  WORDPRESS_INSTALL_FAILED:
    'read the installer output in the message; check the release is complete (compare it with wordpress.org) and run again',
  TEMPLATE_NOT_INSTALLED:
    'use a Playground build zip whose WordPress is installed, or a wordpress.org release (codebox installs it)',
  TEMPLATE_ZIP_UNSAFE_PATH: 'use an unmodified WordPress zip: this one has entries that leave its directory',
  // Policy, credentials, approvals
  POLICY_INVALID: 'correct the policy fields named in the message',
  POLICY_MOUNT_DENIED:
    'allow the mount source in policy.filesystem.mounts (absolute host path), or omit policy to infer it from the recipe',
  POLICY_COMMAND_DENIED:
    "add the command to the policy's commands.allow, or omit policy to infer it from the recipe",
  APPROVAL_DENIED: 'approve the command in onApproval, or set the policy so it needs no approval',
  PLUGIN_NOT_APPROVED:
    'use the approved version, or add the plugin to the approved-plugins manifest ({ slug, version, sha256 }, or { slug, sha256 } for one without a version)',
  CONNECTOR_CREDENTIALS_UNAVAILABLE:
    'export each missing secret as an environment variable of the same name, or remove the connector from the recipe',
  SECRET_NAME_INVALID: 'name secrets with letters, digits, "_", "." and "-" only, at most 128 characters',
  // Runtimes and commands
  RUNTIME_OPTIONS_INVALID: 'correct the createRuntime options named in the message',
  RUNTIME_CREATE_FAILED: "fix the backend's error quoted in the message, then create the runtime again",
  DETERMINISM_UNSUPPORTED:
    "leave out the deterministic option (or a recipe's runtime.deterministic), or run on a backend that seeds its sandbox, such as playground()",
  RUNTIME_DESTROYED: 'create a new runtime: this one was destroyed and takes no more calls',
  RUNTIME_DESTROYING: 'create a new runtime: this one is being destroyed and takes no more calls',
  RUNTIME_FAILED: 'collect its bundle for the diagnostics, destroy it and create a new runtime',
  RUNTIME_NOT_READY: 'wait for createRuntime() to resolve before calling the runtime',
  RUNTIME_RECOVERED:
    'nothing to do: a lost PHP worker was replaced; the diagnostic before it says why it was lost',
  COMMAND_INVALID_ARGS: "correct the command's arguments named by their JSON path",
  COMMAND_UNKNOWN: 'use one of the commands the message lists (runtime.commands)',
  COMMAND_FAILED: "read the command's stdout, stderr and message in the result to see why it failed",
  OPERATION_TIMED_OUT: 'raise the deadline (--timeout / step timeoutMs) or make the step do less',
  OPERATION_ABORTED: 'the run was interrupted; run it again',
  NOT_SUPPORTED:
    'this backend does not offer that operation; use runtime.snapshot() and createRuntime({ from }) instead',
  CHECKPOINT_UNKNOWN: 'restore a checkpoint saved with runtime.checkpoint(name); the message lists them',
  INTERNAL_ERROR:
    'an error without a code came from a backend: its message says what failed; report it if unclear',
  // The Playground backend
  PLAYGROUND_OPTIONS_INVALID:
    'correct the playground() options (or recipe runtime fields) named in the message',
  PHP_VERSION_UNSUPPORTED:
    'use one of the PHP versions the message lists (playground({ php }), runtime.phpVersion, --php)',
  PHP_MODULE_INVALID:
    'reinstall the @php-wasm/node package named in the message (e.g. `pnpm install --force`); its module is truncated or corrupted',
  PHP_WORKER_TERMINATED:
    "the PHP worker stopped (crash, out of memory, or a deadline): check the command's diagnostics, make it do less or raise memoryLimit, and run it again",
  PHP_WORKER_LOST:
    'the PHP worker was lost and replaced: check the diagnostics for the command that ran, and run it again',
  PHP_WORKER_CALL_FAILED: 'the PHP worker could not answer the call: the message says why; run it again',
  PHP_FATAL: 'fix the PHP error at the file and line the message names',
  PHP_PARSE_ERROR: 'fix the PHP syntax error at the file and line the message names',
  PLUGIN_ACTIVATION_FAILED:
    'fix the plugin error quoted in the message, or install the plugin with activate: false',
  SNAPSHOT_INVALID: 'use a snapshot file written by runtime.snapshot() of this codebox version, unmodified',
  SNAPSHOT_LAYER_MISMATCH:
    'create the backend with the same wordpress (and plugins) options as the runtime that took the snapshot',
  MOUNT_INVALID: 'give an absolute target under /wordpress/ and an existing host directory as source',
  MOUNT_SOURCE_MISSING: 'create the mount source directory, or fix its path',
  MOUNT_SYMLINK_ESCAPE: 'replace symlinks that point outside the mount source with the files they point to',
  GRAPHQL_UNAVAILABLE: "add WPGraphQL: playground({ plugins: ['wp-graphql'] }), or a recipe's extra_plugins",
  GRAPHQL_HTTP_ERROR:
    'read the errors in the result value and correct the query, variables or request headers',
  GRAPHQL_ERRORS: 'read the GraphQL errors in the result value and correct the query or variables',
  CODEBOX_BODY_TOO_LARGE: 'send a smaller GraphQL request, or raise graphql.maxBodyBytes',
  METHOD_NOT_ALLOWED: 'use GET or POST for /graphql, GET for /wp-json/',
  SERVE_LISTEN_FAILED: 'pick another --port (0 picks a free one)',
  SERVE_HOST_NOT_LOOPBACK: 'serve listens on loopback only: use --host 127.0.0.1 or ::1',
  SERVE_OPTIONS_INVALID: 'correct the serve options named in the message',
  // The multi-tenant host (@codebox/host)
  TENANT_MANIFEST_INVALID:
    'correct each field named by its JSON path in the tenant manifest (codebox/tenant-manifest/v1)',
  TENANT_MANIFEST_JSON_INVALID:
    'the tenant manifest is not valid JSON; fix the syntax at the reported position',
  TENANT_MANIFEST_UNREADABLE:
    'check the --tenants path; relative paths resolve against the current directory',
  HOST_OPTIONS_INVALID: 'correct the startHost options named in the message',
  HOST_USAGE: 'run `codebox host --help` for the accepted arguments',
  HOST_NOT_LOOPBACK: 'bind 127.0.0.1 or ::1, or pass --allow-non-loopback to bind another address on purpose',
  HOST_DATA_DIR_LOCKED:
    'another codebox host (or admin command) uses this --data directory; stop it, or run the command while it runs (it goes through its admin socket)',
  HOST_MEDIA_CREDENTIALS_MISSING: 'export the environment variables the manifest names for the media store',
  HOST_MEDIA_REGISTER_FAILED:
    "WordPress refused the media item (the message quotes why); check the file's type and the tenant's upload limits",
  HOST_TENANT_UNKNOWN: 'use a tenant id from the manifest',
  HOST_TENANT_UNAVAILABLE:
    "the tenant did not start or is stopping; read the host's log for its start error and fix the tenant's manifest entry",
  HOST_BACKUP_UNREADABLE: 'give a snapshot file written by `codebox host backup` (or runtime.snapshot())',
  HOST_ADMIN_FAILED:
    "the running host's admin socket did not answer; check the host is running with this --data, or stop it and run the command offline",
  HOST_PHP_FAILED:
    'the host-side WordPress program failed (the message quotes PHP); read it and the tenant log',
  HOST_USER_EXISTS: 'pick another login',
  HOST_USER_INVALID: 'WordPress refused the user (the message quotes why); change the login or e-mail',
  HOST_USER_ROLE_UNKNOWN:
    'use a WordPress role the site has: subscriber, contributor, author, editor or administrator',
  HOST_USER_PASSWORD_FAILED:
    'the application password could not be created or sealed (the message says which); check the tenant allows application passwords',
  HOST_INTERNAL_ERROR:
    'an unexpected error inside the host: file the host log lines around it as a bug report',
  // Queues (@codebox/queue, codebox worker)
  QUEUE_OPTIONS_INVALID: 'correct the queue or worker options named in the message',
  QUEUE_JOB_INVALID: 'correct the job fields named by their JSON paths (the recipe, its files, its deadline)',
  QUEUE_JOB_NOT_FOUND:
    'use a job id returned by enqueue(); finished jobs are kept only as long as the queue retains them',
  QUEUE_JOB_STALLED:
    'a worker died or stalled while running the job more often than maxStalledCount allows; read the worker logs and enqueue it again',
  QUEUE_LOCK_LOST:
    'the worker lost the job to another worker (it stalled past --lock-duration); give the worker more CPU or a longer --lock-duration',
  QUEUE_CLOSED: 'create a new queue or worker: this one was closed',
  QUEUE_WORKER_ERROR: 'the job failed outside the recipe; read the message and the worker logs',
  QUEUE_REDIS_UNREACHABLE:
    'start redis-server or fix --redis / CODEBOX_REDIS_URL (host, port, password, database, rediss:// for TLS)',
  QUEUE_REDIS_URL_INVALID:
    'write the Redis URL as redis://[user:password@]host[:port][/db] (rediss:// for TLS)',
  ARTIFACT_STORE_UNREACHABLE:
    'check --artifacts: a writable directory, or an S3 bucket that exists with its endpoint (--s3-endpoint) and credentials',
  ARTIFACT_STORE_URL_INVALID:
    'give --artifacts as file:///absolute/dir, a directory path, or s3://bucket/prefix',
  ARTIFACT_STORE_READ_FAILED: 'check the bundle still exists in the store and the credentials may read it',
  ARTIFACT_STORE_WRITE_FAILED: 'check the store has space and the credentials may write to it',
  // wordpress.phpunit
  PHPUNIT_UNAVAILABLE:
    'seed the missing parts with `codebox cache add` (phpunit-9.6.N.phar, the polyfills zip, the test library with --version <major.minor>), pass playground({ phpunit }) or set CODEBOX_PHPUNIT_PATH / WP_TESTS_PHPUNIT_POLYFILLS_PATH / WP_TESTS_DIR; the polyfills and the test library also download when allowed (unset CODEBOX_OFFLINE)',
  PHPUNIT_TOOLKIT_INVALID:
    'point the named PHPUnit, polyfills or test-library path at the directory the message describes',
  PHPUNIT_DIRECTORY_MISSING: "give the plugin's directory inside the sandbox (a mount target) as `directory`",
  PHPUNIT_CONFIG_MISSING: 'add phpunit.xml.dist (or phpunit.xml) to the plugin, or pass `configuration`',
  PHPUNIT_INSTALL_FAILED:
    "the WordPress test install failed (the message quotes PHP); check the suite's bootstrap",
  PHPUNIT_SUITE_NOT_LOADED:
    "the suite's bootstrap did not load WordPress's test library; require it from WP_TESTS_DIR",
  PHPUNIT_REPORT_INVALID:
    'PHPUnit wrote no readable JUnit report; read its output (stdout) for the fatal error that stopped it',
  // The PHP worker thread
  PHP_WORKER_NOT_READY: 'wait for PhpWorker.start() to resolve before calling the worker',
  PHP_WORKER_NO_REQUEST_HANDLER: 'start the worker with `wordpress` to serve HTTP requests',
  PHP_WORKER_NO_SUCH_MOUNT: 'unmount only a target that was mounted on this worker',
  EXPORT_TOO_LARGE: 'export a smaller directory, or raise maxExportBytes',
  // fanOut (runtime-core) and @codebox/vitest
  FAN_OUT_OPTIONS_INVALID: 'correct the fanOut options named in the message (variants, concurrency, from)',
  FAN_OUT_VARIANT_FAILED:
    "read the variant's cause in the message (the phase it failed in and the error); the other variants' results stand",
  FAN_OUT_VARIANT_CANCELLED:
    'the fan-out was aborted before this variant finished; run it again without aborting',
  VITEST_FIXTURE_OPTIONS_INVALID: 'correct the defineWordPressFixture options named in the message',
  VITEST_SITE_SETUP_FAILED:
    "fix the fixture's setup (the message quotes the failing step); every test of the file depends on it",
  VITEST_RUNTIME_LEAKED:
    'destroy the runtime the test created (await using, or runtime.destroy() in a finally); the message names where it was created',
  // Bundles
  BUNDLE_INVALID: 'the bundle was modified or is incomplete; collect it again from the run',
  BUNDLE_WRITE_FAILED:
    'check that the artifacts directory (--artifacts or artifacts.directory) is writable and has space',
  BUNDLE_EXISTS: 'choose a new bundle path, or remove the existing bundle first',
  BUNDLE_INPUT_INVALID: 'correct the bundle input fields named in the message',
  BUNDLE_MOUNT_REQUIRED: 'pass the mount to apply: one of the mounts the bundle records',
  BUNDLE_SELECTION_INVALID: 'select a mount and files the bundle records (see its changes/files.json)',
  BUNDLE_TARGET_DRIFTED:
    'the target changed since the bundle was made: bring it back to the recorded baseline, or apply the change by hand',
  BUNDLE_TARGET_INVALID: 'give an existing directory as the target',
  BUNDLE_CHANGE_UNAPPLICABLE:
    'apply that change by hand from changes/patch.diff; it cannot be applied automatically',
  REDACTION_FAILED: 'nothing was written: a secret would have reached the bundle; report it with this code',
  SIGNING_KEY_INVALID: 'give an Ed25519 private key (PEM or KeyObject) as signingKey',
}

/** How to fix an error with this `code`, in one sentence. */
export function fixFor(code: string): string {
  const fix = FIXES[code]
  if (fix !== undefined) return fix
  if (code.startsWith('PLAYGROUND_')) return FIXES.PLAYGROUND_OPTIONS_INVALID as string
  if (code.startsWith('POLICY_')) {
    return "allow it in the recipe's policy, or omit policy to infer least privilege from the recipe"
  }
  if (code.startsWith('CONNECTOR_CREDENTIAL')) return FIXES.CONNECTOR_CREDENTIALS_UNAVAILABLE as string
  // A code this table does not know yet: the message itself names what failed and where.
  return 'read the message: it names what failed and where; run again with --json for the whole error document'
}

/** Whether `code` has its own entry (not a prefix rule or the fallback). */
export function hasOwnFix(code: string): boolean {
  return FIXES[code] !== undefined
}
