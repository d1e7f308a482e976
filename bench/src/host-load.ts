import autocannon from 'autocannon'

/** What one bounded load run measured. */
export interface LoadFigures {
  /** Successful (2xx) answers per second, averaged over the run. */
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Answers that were not 2xx (e.g. 503 from a full wait list) and socket errors. */
  readonly refused: number
  readonly ok: number
}

/** One bounded GraphQL load run against a loopback URL; `host` sets the Host header (a tenant's domain). */
export async function graphqlLoad(options: {
  readonly url: string
  readonly host?: string
  readonly query: string
  readonly connections: number
  readonly seconds: number
}): Promise<LoadFigures> {
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?\//.test(`${options.url}/`)) {
    throw new Error(`load goes to loopback only, not ${options.url}`)
  }
  const result = await autocannon({
    url: `${options.url}/graphql`,
    method: 'POST',
    connections: options.connections,
    duration: options.seconds,
    // A request still unanswered after this long counts as refused; generous, so a loaded machine measures slowness.
    timeout: Math.max(30, options.seconds * 2),
    headers: { 'content-type': 'application/json', ...(options.host ? { host: options.host } : {}) },
    body: JSON.stringify({ query: options.query }),
  })
  const ok = result['2xx']
  return {
    requestsPerSecond: ok / options.seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    refused: result.non2xx + result.errors + result.timeouts,
    ok,
  }
}
