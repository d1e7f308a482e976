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

/**
 * Downloads `url` once with the resolver's fetch, size limit and timeout (the call's `timeoutMs` wins). Callers
 * check `context.downloadsAllowed` first, so a disabled resolver never reaches fetch.
 */
export async function downloadFromSource(
  context: Pick<ResolverContext, 'fetchImpl' | 'downloadTimeoutMs' | 'maxDownloadBytes'>,
  url: string,
  options: ResolveResourceOptions,
): Promise<DownloadResult> {
  const { fetchImpl } = context
  if (fetchImpl === undefined && typeof fetch !== 'function')
    throw new Error('no fetch implementation available')
  return downloadArtifact(url, {
    fetch: fetchImpl ?? fetch,
    timeoutMs: options.timeoutMs ?? context.downloadTimeoutMs,
    maxBytes: context.maxDownloadBytes,
    signal: options.signal,
  })
}
