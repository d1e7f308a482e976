import { FilesystemPolicyViolationError } from './errors.js'
import { isWithin, splitHostPath, splitRuntimePath } from './paths.js'
import type { FilesystemPolicy, MountMode } from './policy-schema.js'

/** A requested mount of a host path into a runtime. */
export interface MountRequest {
  /** Absolute host path, already resolved with `realpath` by the caller so symlinks cannot escape. */
  readonly source: string
  /** Requested mode. */
  readonly mode: MountMode
}

/**
 * Throws unless `filesystem.mounts` allows mounting `source` with `mode`: some rule's `path` must equal or contain
 * `source` (whole path segments: `/a/bc` is not inside `/a/b`) and list `mode`. `readwrite` does not imply
 * `readonly`; list both if both are wanted. Windows paths compare case-insensitively.
 *
 * @param filesystem - `policy.filesystem` of an effective policy.
 * @param request - the host path (absolute, real) and the requested mode.
 * @throws {@link FilesystemPolicyViolationError} (code `POLICY_MOUNT_DENIED`).
 */
export function assertMountAllowed(filesystem: FilesystemPolicy, request: MountRequest): void {
  const { source, mode } = request
  const quoted = JSON.stringify(source)
  const target = splitHostPath(source)
  if (target === undefined) {
    throw new FilesystemPolicyViolationError(
      source,
      mode,
      'not-absolute',
      `Cannot mount ${quoted}: the source must be an absolute, resolved host path (use fs.realpath first).`,
    )
  }
  const covering = filesystem.mounts.filter((rule) => {
    const outer = splitHostPath(rule.path)
    return outer !== undefined && isWithin(outer, target)
  })
  if (covering.some((rule) => rule.modes.includes(mode))) return
  if (covering.length === 0) {
    throw new FilesystemPolicyViolationError(
      source,
      mode,
      'not-declared',
      `Mounting ${quoted} is not allowed: no filesystem.mounts rule covers it. ` +
        `Add { path: ${quoted}, modes: [${JSON.stringify(mode)}] } (or a parent directory) to policy.filesystem.mounts.`,
    )
  }
  const modes = [...new Set(covering.flatMap((rule) => rule.modes))].map((m) => JSON.stringify(m)).join(', ')
  throw new FilesystemPolicyViolationError(
    source,
    mode,
    'mode-not-allowed',
    `Mounting ${quoted} as ${JSON.stringify(mode)} is not allowed; the policy permits only ${modes} there. ` +
      `Add ${JSON.stringify(mode)} to the modes of the filesystem.mounts rule covering it, or mount it ${modes}.`,
  )
}

/**
 * True when `runtimePath` is one of `filesystem.writableRoots` or lies inside one (whole path segments,
 * `..` resolved lexically). Relative paths are never writable.
 *
 * @param filesystem - `policy.filesystem` of an effective policy.
 * @param runtimePath - an absolute POSIX path inside the runtime, e.g. `/wordpress/wp-content/uploads/a.png`.
 */
export function isWritableRoot(filesystem: FilesystemPolicy, runtimePath: string): boolean {
  const target = splitRuntimePath(runtimePath)
  if (target === undefined) return false
  return filesystem.writableRoots.some((root) => {
    const outer = splitRuntimePath(root)
    return outer !== undefined && isWithin(outer, target)
  })
}
