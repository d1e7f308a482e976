import { BackendPlaygroundError, type ErrorDetails } from '../errors.js'

/** Where the resolver looked for a resource. */
export type ResourcePlace = 'local' | 'cache' | 'download'

/** One place the resolver looked, and what it found there. */
export interface ResourceLookup {
  /** `local` (an explicit `source` path), `cache` (`$CODEBOX_CACHE_DIR`) or `download` (the official source). */
  readonly place: ResourcePlace
  /** The path or URL that was tried (`(none)` when nothing was given for this place). */
  readonly location: string
  /** What happened, e.g. `not found`, `connection refused (ECONNREFUSED)`, `downloads disabled (CODEBOX_OFFLINE=1)`. */
  readonly outcome: string
}

/**
 * Base class of every resource-resolver error (plugins and tools). It is a {@link BackendPlaygroundError}, so it
 * carries the `codebox.error` brand, a stable `code`, JSON-safe `details`, an optional `cause` and `toJSON()`.
 */
export class ResourceError extends BackendPlaygroundError {}

/** One problem in a plugin or tool spec, located by a JSON path relative to the spec (`$.sha256`). */
export interface ResourceSpecIssue {
  readonly path: string
  readonly message: string
}

/** A plugin or tool spec is invalid. Code: `RESOURCE_SPEC_INVALID`; `issues` lists every problem. */
export class ResourceSpecError extends ResourceError {
  /** Every problem found. */
  readonly issues: readonly ResourceSpecIssue[]

  /**
   * @param subject - what was validated, e.g. `plugin spec`.
   * @param issues - every problem found (at least one).
   */
  constructor(subject: string, issues: readonly ResourceSpecIssue[]) {
    const lines = issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')
    super('RESOURCE_SPEC_INVALID', `Invalid ${subject}:\n${lines}`, {
      details: { subject, issues: issues.map((issue) => ({ path: issue.path, message: issue.message })) },
    })
    this.issues = issues
  }
}

/**
 * A resource could not be found anywhere. Code: `RESOURCE_UNAVAILABLE`. `details.resource` names it
 * (`plugin:wp-graphql@2.5.3`), `details.looked` lists every place tried with its outcome, and the message says
 * how to provide it.
 */
export class ResourceUnavailableError extends ResourceError {
  /** `plugin:<slug>@<version>` or `tool:<name>@<version>` (`@latest` when no version was known). */
  readonly resource: string
  /** Every place looked, in order. */
  readonly looked: readonly ResourceLookup[]

  /**
   * @param resource - the resource id.
   * @param looked - every place looked.
   * @param howToProvide - lines telling the user how to make it available.
   * @param options - cause and extra details.
   */
  constructor(
    resource: string,
    looked: readonly ResourceLookup[],
    howToProvide: readonly string[],
    options: { cause?: unknown } = {},
  ) {
    const places = looked.map((l) => `  - ${l.place}: ${l.location} → ${l.outcome}`).join('\n')
    const how = howToProvide.map((line) => `  - ${line}`).join('\n')
    super(
      'RESOURCE_UNAVAILABLE',
      `Resource ${resource} is not available. Looked in:\n${places}\nTo provide it:\n${how}`,
      {
        cause: options.cause,
        details: {
          resource,
          looked: looked.map((l) => ({ place: l.place, location: l.location, outcome: l.outcome })),
          howToProvide: [...howToProvide],
        },
      },
    )
    this.resource = resource
    this.looked = looked
  }
}

/**
 * An artifact's SHA-256 differs from the pinned one (a spec's `sha256`, or the hash the cache file was recorded
 * with). Code: `RESOURCE_INTEGRITY_MISMATCH`. Nothing is written to the cache when this is thrown.
 */
export class ResourceIntegrityError extends ResourceError {
  /** `sha256:<hex>` that was required. */
  readonly expected: string
  /** `sha256:<hex>` that was found. */
  readonly actual: string

  /**
   * @param resource - the resource id.
   * @param expected - the required hash.
   * @param actual - the hash found.
   * @param message - human message naming where it came from and the fix.
   * @param details - extra JSON-safe context (e.g. `location`).
   */
  constructor(
    resource: string,
    expected: string,
    actual: string,
    message: string,
    details: ErrorDetails = {},
  ) {
    super('RESOURCE_INTEGRITY_MISMATCH', message, { details: { resource, expected, actual, ...details } })
    this.expected = expected
    this.actual = actual
  }
}

/**
 * The lock file recorded a different hash the first time this `slug@version` was seen: the upstream artifact (or
 * the file given to `cacheAdd`) changed. Code: `RESOURCE_UPSTREAM_CHANGED`. Pass `{ updateLock: true }` to accept it.
 */
export class ResourceUpstreamChangedError extends ResourceError {
  /** The hash in the lock file. */
  readonly locked: string
  /** The hash of the new artifact. */
  readonly actual: string

  /**
   * @param resource - the resource id.
   * @param locked - the hash recorded in the lock file.
   * @param actual - the hash of the new artifact.
   * @param details - `lockFile`, `firstSeen`, `location`.
   */
  constructor(
    resource: string,
    locked: string,
    actual: string,
    details: { lockFile: string; firstSeen: string; location: string },
  ) {
    super(
      'RESOURCE_UPSTREAM_CHANGED',
      `${resource} from ${details.location} has ${actual}, but ${details.lockFile} recorded ${locked} when it was first ` +
        `seen (${details.firstSeen}). The artifact changed for the same version; review it, then resolve again with ` +
        '{ updateLock: true } to accept the new hash, or pin the old one with `sha256`.',
      { details: { resource, locked, actual, ...details } },
    )
    this.locked = locked
    this.actual = actual
  }
}

/**
 * The spec names a version, but the plugin header says another, or (for a local plugin used in place) none at all.
 * Code: `RESOURCE_VERSION_MISMATCH`.
 */
export class ResourceVersionMismatchError extends ResourceError {
  /**
   * @param resource - the resource id.
   * @param requested - the version in the spec.
   * @param found - the `Version:` in the plugin header; `undefined` when it has none.
   * @param location - where the artifact came from.
   */
  constructor(resource: string, requested: string, found: string | undefined, location: string) {
    super(
      'RESOURCE_VERSION_MISMATCH',
      found === undefined
        ? `${resource} was requested, but the plugin at ${location} has no usable "Version:" header, so no version ` +
            'can match it. Remove `version` from the spec: a local plugin without one is known by its SHA-256 ' +
            '(pin that with `sha256` instead), or add "Version: ' +
            `${requested}" to its main file's header.`
        : `${resource} was requested, but the plugin at ${location} declares "Version: ${found}" in its header. ` +
            `Use version "${found}" in the spec, or provide the ${requested} release.`,
      { details: { resource, requested, found: found ?? null, location } },
    )
  }
}

/** Why an archive or directory was refused. */
export type ResourceArchiveProblem =
  | 'unsafe-path'
  | 'symlink'
  | 'corrupt'
  | 'too-large'
  | 'no-plugin-header'
  | 'not-a-phar'

/**
 * A zip, directory or phar is unusable or unsafe: a zip entry escapes its directory (`..`, absolute path), a zip
 * holds a symlink, the archive is corrupt or too large, no top-level PHP file has a `Plugin Name:` header, or a
 * phar is not a phar. Code: `RESOURCE_ARCHIVE_INVALID`; `details.problem` says which.
 */
export class ResourceArchiveError extends ResourceError {
  /** Which problem was found. */
  readonly problem: ResourceArchiveProblem

  /**
   * @param problem - which problem.
   * @param message - human message naming the file and the fix.
   * @param details - extra JSON-safe context (`location`, `entry`).
   * @param cause - the underlying error.
   */
  constructor(problem: ResourceArchiveProblem, message: string, details: ErrorDetails = {}, cause?: unknown) {
    super('RESOURCE_ARCHIVE_INVALID', message, { cause, details: { problem, ...details } })
    this.problem = problem
  }
}
