import { type DocumentNode, Kind, parse, type SelectionSetNode } from 'graphql'
import type { AuditOperation } from '../audit/audit-log.js'

/** What a forwarded request does, for the audit trail and the automatic snapshot before destructive operations. */
export interface OperationClass {
  readonly operation: AuditOperation
  /** Why the host snapshots the tenant first (plugin change, option bulk change, import), or undefined. */
  readonly destructive: string | undefined
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * REST routes whose writes change a site as a whole: plugin (de)activation, theme changes, settings (options in
 * bulk) and importers.
 */
function destructiveRestRoute(route: string): string | undefined {
  const normal = route.toLowerCase().replace(/\/+$/, '')
  if (/^\/wp\/v2\/plugins(\/|$)/.test(normal)) return 'plugin-change'
  if (/^\/wp\/v2\/themes(\/|$)/.test(normal)) return 'theme-change'
  if (normal === '/wp/v2/settings') return 'option-bulk-change'
  if (normal.split('/').some((segment) => segment.startsWith('import'))) return 'import'
  return undefined
}

/** Mutation root fields with the same effect in WPGraphQL and its extensions. */
function destructiveMutationField(name: string): string | undefined {
  if (name === 'updateSettings') return 'option-bulk-change'
  if (/plugin/i.test(name)) return 'plugin-change'
  if (/theme/i.test(name)) return 'theme-change'
  if (/^import/i.test(name)) return 'import'
  return undefined
}

/** Classifies a REST request by method and route. */
export function classifyRest(method: string, route: string): OperationClass {
  const write = WRITE_METHODS.has(method)
  return {
    operation: write ? 'rest.write' : 'rest.read',
    destructive: write ? destructiveRestRoute(route) : undefined,
  }
}

/** The GraphQL documents of a request: `query` of a JSON body (or each entry of a batch), or of the query string. */
function documentsOf(method: string, query: string, body: Uint8Array | undefined): string[] {
  if (method === 'GET') {
    const text = new URLSearchParams(query).get('query')
    return text ? [text] : []
  }
  if (!body || body.byteLength === 0) return []
  try {
    const parsed: unknown = JSON.parse(Buffer.from(body).toString('utf8'))
    const entries = Array.isArray(parsed) ? parsed : [parsed]
    return entries.flatMap((entry) =>
      entry && typeof entry === 'object' && typeof (entry as { query?: unknown }).query === 'string'
        ? [(entry as { query: string }).query]
        : [],
    )
  } catch {
    return []
  }
}

/** Root fields of a selection set, following fragment spreads and inline fragments. */
function rootFields(
  selectionSet: SelectionSetNode,
  document: DocumentNode,
  seen = new Set<string>(),
): string[] {
  const names: string[] = []
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) names.push(selection.name.value)
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      names.push(...rootFields(selection.selectionSet, document, seen))
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value)
      const fragment = document.definitions.find(
        (definition) =>
          definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value,
      )
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION)
        names.push(...rootFields(fragment.selectionSet, document, seen))
    }
  }
  return names
}

/**
 * Classifies a GraphQL request: a mutation if any operation in its documents is one (whichever `operationName`
 * picks), destructive if a mutation's root fields change settings, plugins or themes, or import. A document that
 * does not parse is a query here; WPGraphQL refuses it anyway.
 */
export function classifyGraphql(method: string, query: string, body: Uint8Array | undefined): OperationClass {
  let mutation = false
  let destructive: string | undefined
  for (const text of documentsOf(method, query, body)) {
    let document: DocumentNode
    try {
      document = parse(text, { noLocation: true, maxTokens: 50_000 })
    } catch {
      continue
    }
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION || definition.operation !== 'mutation') continue
      mutation = true
      for (const field of rootFields(definition.selectionSet, document)) {
        destructive ??= destructiveMutationField(field)
      }
    }
  }
  return { operation: mutation ? 'graphql.mutation' : 'graphql.query', destructive }
}
