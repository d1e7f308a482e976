// Internal: lexical handling of host paths (POSIX or Windows) and runtime paths (always POSIX).

/** A path split into comparable segments. */
export interface SplitPath {
  /** Root marker: `/`, a drive such as `c:`, or `//server/share` for UNC paths (lower-cased on Windows). */
  readonly root: string
  /** Segments after the root with `.` removed and `..` resolved lexically. */
  readonly segments: readonly string[]
  /** Whether comparisons ignore case (Windows paths). */
  readonly caseInsensitive: boolean
}

const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/
const WINDOWS_UNC = /^\\\\[^\\/]+[\\/][^\\/]+/

/** True when `path` is an absolute POSIX path or an absolute Windows path (`C:\…`, `\\server\share\…`). */
export function isAbsoluteHostPath(path: string): boolean {
  return path.startsWith('/') || WINDOWS_DRIVE.test(path) || WINDOWS_UNC.test(path)
}

/** True when one of the path's segments is `..`. */
export function hasParentSegment(path: string): boolean {
  return path.split(/[\\/]/).includes('..')
}

/** Splits an absolute host path; returns undefined for relative paths. `..` above the root stays at the root. */
export function splitHostPath(path: string): SplitPath | undefined {
  if (path.includes('\0')) return undefined
  if (path.startsWith('/')) return splitWith('/', path.split('/'), false)
  if (WINDOWS_DRIVE.test(path))
    return splitWith(path.slice(0, 2).toLowerCase(), path.slice(3).split(/[\\/]/), true)
  if (WINDOWS_UNC.test(path)) {
    const [server, share, ...rest] = path.slice(2).split(/[\\/]/)
    return splitWith(`//${server}/${share}`.toLowerCase(), rest, true)
  }
  return undefined
}

/** Splits an absolute POSIX runtime path; returns undefined for relative paths. */
export function splitRuntimePath(path: string): SplitPath | undefined {
  if (!path.startsWith('/') || path.includes('\0')) return undefined
  return splitWith('/', path.split('/'), false)
}

function splitWith(root: string, parts: readonly string[], caseInsensitive: boolean): SplitPath {
  const segments: string[] = []
  for (const part of parts) {
    if (part === '' || part === '.') continue
    if (part === '..') segments.pop()
    else segments.push(caseInsensitive ? part.toLowerCase() : part)
  }
  return { root, segments, caseInsensitive }
}

/** True when `inner` equals `outer` or lies inside it, comparing whole segments (`/a/bc` is not inside `/a/b`). */
export function isWithin(outer: SplitPath, inner: SplitPath): boolean {
  if (outer.root !== inner.root || outer.caseInsensitive !== inner.caseInsensitive) return false
  if (inner.segments.length < outer.segments.length) return false
  return outer.segments.every((segment, index) => inner.segments[index] === segment)
}
