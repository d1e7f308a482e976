import type { BackendCommandOutcome, CommandContext } from '@codebox/runtime-core'
import type { z } from 'zod'
import { bodyTooLargeResponse } from '../headless/graphql-guardrails-options.js'
import type { GraphqlArgs } from './command-catalogue.js'
import type { CommandHost } from './command-host.js'

const decoder = new TextDecoder()

/**
 * `wordpress.graphql`: POSTs the operation to WPGraphQL's `/graphql`. GraphQL errors fail the command with the
 * response kept as its value; a body over `maxBodyBytes` is refused as the served endpoint refuses it (HTTP 413).
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
  if (!parsed || typeof parsed !== 'object') {
    return {
      exitCode: 1,
      stdout: text,
      message: `/graphql answered HTTP ${response.status} without GraphQL JSON; is WPGraphQL installed and active? (plugins: ['wp-graphql'])`,
      value: {
        data: null,
        errors: undefined,
        extensions: undefined,
        httpStatus: response.status,
        durationMs,
      },
    }
  }
  const value = {
    data: parsed.data ?? null,
    errors: parsed.errors,
    extensions: parsed.extensions,
    httpStatus: response.status,
    durationMs,
  }
  const failed = (parsed.errors?.length ?? 0) > 0
  return {
    exitCode: failed ? 1 : 0,
    stdout: text,
    value,
    ...(failed ? { message: `GraphQL errors: ${JSON.stringify(parsed.errors).slice(0, 500)}` } : {}),
  }
}
