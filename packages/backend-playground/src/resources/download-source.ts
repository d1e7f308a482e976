import { AbortedError } from '@codebox/runtime-core'
import { SharedWork } from '../shared-work.js'
import { type DownloadResult, downloadArtifact } from './download-artifact.js'
import type { ResolverContext } from './resolver-context.js'
import { ResourceSpecError } from './resource-errors.js'
import type { ResolveResourceOptions } from './resource-resolver.js'

/** True when a spec's `source` is a URL to download rather than a local path. */
export function isUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source)
}

/** Refuses a spec URL that is not https (plain http only for loopback, where tests and local mirrors live). */
export function assertDownloadUrl(url: string, field: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ResourceSpecError('plugin spec', [{ path: field, message: `${url} is not a URL` }])
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new ResourceSpecError('plugin spec', [
      {
        path: field,
        message: `${url} must be an https:// URL (plain http:// is only allowed for loopback hosts)`,
      },
    ])
  }
}

/** Downloads in flight in this process, per fetch implementation (an injected fetch never shares with another). */
const downloadsInFlight = new WeakMap<typeof fetch, SharedWork<DownloadResult>>()

function sharedDownloads(fetchImpl: typeof fetch): SharedWork<DownloadResult> {
  let shared = downloadsInFlight.get(fetchImpl)
  if (!shared) {
    shared = new SharedWork<DownloadResult>()
    downloadsInFlight.set(fetchImpl, shared)
  }
  return shared
}

/** Key of a download: the URL and the size limit it is read with. */
function downloadKey(url: string, maxBytes: number): string {
  return `${url}\n${maxBytes}`
}

/** How many callers in this process wait for the download of `url` with the global fetch (for tests). */
export function downloadWaiters(url: string, maxBytes: number): number {
  return typeof fetch === 'function' ? sharedDownloads(fetch).waiting(downloadKey(url, maxBytes)) : 0
}

/**
 * Downloads `url` once with the resolver's fetch, size limit and timeout (the call's `timeoutMs` wins). Callers
 * check `context.downloadsAllowed` first, so a disabled resolver never reaches fetch. Concurrent calls for the same
 * URL in this process share one download; each waits with its own `signal`, so one caller's abort never fails the
 * others (the download stops only when no caller waits for it).
 *
 * @throws {@link AbortedError} when this caller's `signal` aborts.
 */
export async function downloadFromSource(
  context: Pick<ResolverContext, 'fetchImpl' | 'downloadTimeoutMs' | 'maxDownloadBytes'>,
  url: string,
  options: ResolveResourceOptions,
): Promise<DownloadResult> {
  const { fetchImpl } = context
  if (fetchImpl === undefined && typeof fetch !== 'function')
    throw new Error('no fetch implementation available')
  const fetcher = fetchImpl ?? fetch
  const timeoutMs = options.timeoutMs ?? context.downloadTimeoutMs
  try {
    const { value } = await sharedDownloads(fetcher).run(
      downloadKey(url, context.maxDownloadBytes),
      (signal) =>
        downloadArtifact(url, { fetch: fetcher, timeoutMs, maxBytes: context.maxDownloadBytes, signal }),
      { signal: options.signal },
    )
    return value
  } catch (error) {
    if (options.signal?.aborted) throw new AbortedError(`Downloading ${url}`, options.signal.reason)
    throw error
  }
}
