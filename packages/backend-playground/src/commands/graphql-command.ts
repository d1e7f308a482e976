import type { BackendCommandOutcome, CommandContext } from '@codebox/runtime-core'
import type { z } from 'zod'
import { bodyTooLargeResponse } from '../headless/graphql-guardrails-options.js'
import type { GraphqlArgs } from './command-catalogue.js'
import type { CommandHost } from './command-host.js'

const decoder = new TextDecoder()

/**
 * `wordpress.graphql`: POSTs the operation to WPGraphQL's `/graphql`. GraphQL errors, an HTTP status ≥ 400 and a
 * missing WPGraphQL fail the command with a typed `code` and the response kept as its value; a body over
 * `maxBodyBytes` is refused as the served endpoint refuses it (HTTP 413).
 */
export async function graphqlCommand(
  host: CommandHost,
  args: z.output<typeof GraphqlArgs>,
  context: CommandContext,
  maxBodyBytes: number,
): Promise<BackendCommandOutcome> {
  const started = performance.now()
  const body = JSON.stringify({
    query: args.query,
    variables: args.variables ?? {},
    operationName: args.operationName,
  })
  const bytes = Buffer.byteLength(body)
  if (bytes > maxBodyBytes) {
    const refused = bodyTooLargeResponse(bytes, maxBodyBytes)
    return {
      exitCode: 1,
      stdout: JSON.stringify(refused),
      code: 'GRAPHQL_HTTP_ERROR',
      message: `GraphQL errors: ${refused.errors[0]?.message}`,
      value: { data: null, errors: refused.errors, extensions: undefined, httpStatus: 413, durationMs: 0 },
    }
  }
  const response = await host.worker.request(
    {
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...(args.headers ?? {}) },
      body,
    },
    { signal: context.signal },
  )
  for (const entry of response.errors) host.log(entry)
  const text = decoder.decode(response.body)
  let parsed: { data?: unknown; errors?: unknown[]; extensions?: unknown } | undefined
  try {
    parsed = JSON.parse(text) as typeof parsed
  } catch {
    parsed = undefined
  }
  const durationMs = Math.round(performance.now() - started)
  const json = parsed && typeof parsed === 'object' ? parsed : undefined
  const value = {
    data: json?.data ?? null,
    errors: json?.errors,
    extensions: json?.extensions,
    httpStatus: response.status,
    durationMs,
  }
  const failure = graphqlFailure(response.status, json)
  return failure ? { exitCode: 1, stdout: text, value, ...failure } : { exitCode: 0, stdout: text, value }
}

const ADD_WPGRAPHQL =
  "add WPGraphQL with playground({ plugins: ['wp-graphql'] }) (or a recipe's extra_plugins)"

/**
 * Why a `/graphql` answer is a failure, if it is: no WPGraphQL behind the route (HTTP 404, or no GraphQL JSON at
 * all), any other HTTP status ≥ 400, or GraphQL errors in a 200 answer.
 */
function graphqlFailure(
  status: number,
  json: { errors?: unknown[] } | undefined,
): { code: string; message: string } | undefined {
  if (status === 404 || !json) {
    return {
      code: 'GRAPHQL_UNAVAILABLE',
      message: `/graphql answered HTTP ${status} ${json ? 'from WordPress, not WPGraphQL' : 'without GraphQL JSON'}: WPGraphQL is not installed or not active; ${ADD_WPGRAPHQL}`,
    }
  }
  const errors = json.errors?.length ? `: ${JSON.stringify(json.errors).slice(0, 500)}` : ''
  if (status >= 400)
    return { code: 'GRAPHQL_HTTP_ERROR', message: `/graphql answered HTTP ${status}${errors}` }
  if (errors) return { code: 'GRAPHQL_ERRORS', message: `GraphQL errors${errors}` }
  return undefined
}
