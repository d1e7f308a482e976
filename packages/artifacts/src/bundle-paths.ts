/** Fixed paths of the bundle's documents. */
export const BUNDLE_PATHS = {
  manifest: 'manifest.json',
  attestation: 'attestation.json',
  commands: 'commands.jsonl',
  events: 'events.jsonl',
  mail: 'mail.jsonl',
  diagnostics: 'diagnostics.json',
  credentials: 'credentials.json',
  patch: 'changes/patch.diff',
  changes: 'changes/files.json',
  changedFilesDir: 'changes/files',
  logsDir: 'logs',
  snapshot: 'snapshot/runtime-snapshot.bin',
} as const

/** Gzip header every bundle tarball starts with: no name, no mtime, no extra flags, OS "unknown". */
export const CANONICAL_GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff])

/** Why a relative path is unsafe, or null when it is a clean relative POSIX path. */
export function unsafePathReason(path: string): string | null {
  if (path.length === 0) return 'empty path'
  if (path.includes('\0')) return 'path contains NUL'
  if (path.includes('\\')) return 'path contains a backslash'
  if (path.startsWith('/')) return 'absolute path'
  if (/^[A-Za-z]:/.test(path)) return 'drive-qualified path'
  for (const segment of path.split('/')) {
    if (segment === '..') return 'path escapes its root (..)'
    if (segment === '.' || segment === '') return 'path is not normalised'
  }
  return null
}

/** A single safe path segment (mount ids, log names). */
export const SAFE_SEGMENT_RE = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/

const MEDIA_TYPES: Record<string, string> = {
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  diff: 'text/x-diff',
  patch: 'text/x-diff',
  log: 'text/plain; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  php: 'application/x-httpd-php',
  js: 'text/javascript',
  css: 'text/css',
  html: 'text/html',
  xml: 'application/xml',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  zip: 'application/zip',
  sqlite: 'application/vnd.sqlite3',
}

/** Media type from a path's extension, falling back on whether the content looks binary. */
export function mediaTypeFor(path: string, content: Uint8Array): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase()
  const known = ext ? MEDIA_TYPES[ext] : undefined
  if (known) return known
  return isBinary(content) ? 'application/octet-stream' : 'text/plain; charset=utf-8'
}

/** Heuristic shared with git: content is binary if it has a NUL byte early on or is not valid UTF-8. */
export function isBinary(content: Uint8Array): boolean {
  const probe = content.subarray(0, 8000)
  if (probe.includes(0)) return true
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content)
    return false
  } catch {
    return true
  }
}
