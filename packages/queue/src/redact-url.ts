/**
 * A URL as it may be shown in a message, log or result: user name and password replaced by `***`, query values of
 * credential-looking parameters too. Something that does not parse is shown as written only when it has no `@` or
 * `:` (a relative path), else as `(unparseable URL)`.
 *
 * @example
 * redactUrl('redis://default:s3cret@cache.internal:6379/0') // 'redis://***:***@cache.internal:6379/0'
 */
export function redactUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    // Not a URL (a relative path, a typo): shown as written unless it could hold credentials.
    return value.includes('@') || value.includes(':') ? '(unparseable URL)' : value
  }
  if (url.username) url.username = '***'
  if (url.password) url.password = '***'
  for (const key of [...url.searchParams.keys()]) {
    if (/pass|secret|token|key|credential|signature/i.test(key)) url.searchParams.set(key, '***')
  }
  return url.toString()
}
