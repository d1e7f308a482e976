import { downloadFromSource } from '../resources/download-source.js'
import type { ResolverContext } from '../resources/resolver-context.js'
import { writeDirectoryAtomic } from '../resources/resource-cache.js'
import { filesDigest } from '../resources/resource-digest.js'
import { ResourceIntegrityError } from '../resources/resource-errors.js'
import { throwIfAborted } from '../resources/throw-if-aborted.js'
import { readPluginZip } from '../resources/zip-archive.js'
import type { PhpunitRelease } from './phpunit-releases.js'

/** What a download of a toolkit part came to: written to the cache, or why not (for the `looked` list). */
export type PhpunitDownloadResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly outcome: string; readonly cause?: unknown }

/** Options of {@link downloadPhpunitRelease}. */
export interface DownloadPhpunitReleaseOptions {
  /** `phpunit:polyfills@2.0.4`: how errors name what was downloaded. */
  readonly resource: string
  /** The cache directory the release becomes. */
  readonly target: string
  readonly signal?: AbortSignal | undefined
  /** Default the resolver's download timeout. */
  readonly timeoutMs?: number | undefined
}

/**
 * Downloads a pinned toolkit archive with the resource resolver's downloader (one attempt, its timeout and size limit,
 * shared with concurrent callers), reads it in memory, verifies the {@link PhpunitRelease.treeSha256} of its files, and
 * only then writes them to `target` atomically (temp directory, then rename). A failed or aborted download, a corrupt
 * zip or a digest mismatch leave the cache as it was.
 *
 * @returns `{ ok: false, outcome }` when downloads are disabled or the download failed (network, HTTP, size).
 * @throws {@link ResourceIntegrityError} (`RESOURCE_INTEGRITY_MISMATCH`) when the content differs from the pin;
 *   `ResourceArchiveError` when the body is not a safe zip; `AbortedError` when `signal` aborts.
 */
export async function downloadPhpunitRelease(
  context: ResolverContext,
  release: PhpunitRelease,
  options: DownloadPhpunitReleaseOptions,
): Promise<PhpunitDownloadResult> {
  if (!context.downloadsAllowed) return { ok: false, outcome: context.downloadDisabledReason }
  const result = await downloadFromSource(context, release.url, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  })
  if (!result.ok) return result
  throwIfAborted(options.signal, `Downloading ${release.url}`)
  const omit = new Set(release.omit ?? [])
  const files = new Map(
    [...readPluginZip(result.bytes, release.url).files].filter(([relative]) => !omit.has(relative)),
  )
  const actual = filesDigest(files)
  if (actual !== release.treeSha256) {
    throw new ResourceIntegrityError(
      options.resource,
      release.treeSha256,
      actual,
      `${options.resource} from ${release.url} extracts to content with digest ${actual}, but codebox pins ` +
        `${release.treeSha256} (the tag's files at ${release.commit}). Refusing it (nothing was cached); the tag ` +
        'may have been moved, or something between here and the host changed the download.',
      { location: release.url, digest: 'treeDigest of the extracted files' },
    )
  }
  await writeDirectoryAtomic(options.target, files, { existing: 'replace', signal: options.signal })
  return { ok: true }
}
