import { z } from 'zod'

/**
 * GraphQL guardrails, applied inside WordPress (a codebox must-use plugin hooking WPGraphQL) and, for the body size,
 * also on the host before a request reaches PHP (`wordpress.graphql` and `serve()`).
 */
export const GraphqlGuardrailsSchema = z.strictObject({
  /**
   * Maximum query depth as webonyx `QueryDepth` counts it: fields with a selection set, the root field being depth 0
   * (so `{ posts { nodes { id } } }` has depth 1), fragments expanded. Default 10.
   */
  maxDepth: z.number().int().min(1).max(100).default(10),
  /**
   * Maximum query complexity (webonyx `QueryComplexity`: each selected field costs 1 plus its children, fragments
   * expanded, so without custom costs it is the number of fields selected). Default 500.
   */
  maxComplexity: z.number().int().min(1).max(100_000).default(500),
  /** Maximum `first`/`last` of a connection; asking for more is a GraphQL error on that field. Default 100. */
  maxPageSize: z.number().int().min(1).max(10_000).default(100),
  /** Maximum GraphQL request body (POST) or query string (GET) in bytes. Default 64 KiB. */
  maxBodyBytes: z
    .number()
    .int()
    .min(256)
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
})

/** What a caller passes as `playground({ graphql })`. */
export type GraphqlGuardrails = z.input<typeof GraphqlGuardrailsSchema>

/** Guardrails with defaults applied. */
export type ResolvedGraphqlGuardrails = z.output<typeof GraphqlGuardrailsSchema>

/** The body of a GraphQL response refusing a request larger than `maxBodyBytes` (same text as the PHP side). */
export function bodyTooLargeResponse(
  bytes: number,
  maxBodyBytes: number,
): {
  errors: { message: string; extensions: { code: string; maxBodyBytes: number; bytes: number } }[]
} {
  return {
    errors: [
      {
        message: `The GraphQL request is ${bytes} bytes; this runtime accepts at most ${maxBodyBytes} bytes (graphql.maxBodyBytes).`,
        extensions: { code: 'CODEBOX_BODY_TOO_LARGE', maxBodyBytes, bytes },
      },
    ],
  }
}
