import type { BackendCommandOutcome, CommandContext } from '@codebox/runtime-core'
import type { z } from 'zod'
import type { HttpRequestArgs } from './command-catalogue.js'
import type { CommandHost } from './command-host.js'

const decoder = new TextDecoder()

function flattenHeaders(headers: Readonly<Record<string, readonly string[]>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, values]) => [name.toLowerCase(), values.join(', ')]),
  )
}

/** `wordpress.http-request`: one request through WordPress's front controller; any HTTP status is a result. */
export async function httpRequestCommand(
  host: CommandHost,
  args: z.output<typeof HttpRequestArgs>,
  context: CommandContext,
): Promise<BackendCommandOutcome> {
  const url = new URL(args.path, 'http://codebox.invalid')
  for (const [name, value] of Object.entries(args.query ?? {})) url.searchParams.set(name, value)
  const headers: Record<string, string> = { ...(args.headers ?? {}) }
  let body: string | undefined
  if (typeof args.body === 'string') body = args.body
  else if (args.body !== undefined) {
    body = JSON.stringify(args.body)
    headers['content-type'] ??= 'application/json'
  }
  const response = await host.worker.request(
    {
      method: args.method,
      url: `${url.pathname}${url.search}`,
      headers,
      ...(body === undefined ? {} : { body }),
    },
    { signal: context.signal },
  )
  for (const entry of response.errors) host.log(entry)
  const text = decoder.decode(response.body)
  return {
    exitCode: 0,
    stdout: text,
    value: {
      status: response.status,
      headers: flattenHeaders(response.headers),
      body: text,
      durationMs: Math.round(response.durationMs),
    },
  }
}
