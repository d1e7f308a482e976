import { readFile } from 'node:fs/promises'
import { toPolicyIssues } from '@codebox/policy'
import { z } from 'zod'
import { TenantManifestError } from '../host-error.js'
import { type TenantManifest, TenantManifestSchema } from './tenant-manifest-schema.js'

/**
 * Validates a tenant manifest (`codebox/tenant-manifest/v1`) and applies its defaults.
 *
 * @throws {@link TenantManifestError} `TENANT_MANIFEST_INVALID`, listing every problem with its JSON path and fix.
 *
 * @example
 * const manifest = parseTenantManifest({
 *   schema: 'codebox/tenant-manifest/v1',
 *   tenants: [{ id: 'acme', domains: ['acme.test'] }],
 * })
 */
export function parseTenantManifest(input: unknown): TenantManifest {
  const parsed = TenantManifestSchema.safeParse(input)
  if (parsed.success) return parsed.data
  const issues = toPolicyIssues(TenantManifestSchema, parsed.error)
  const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`
  throw new TenantManifestError(
    'TENANT_MANIFEST_INVALID',
    `Invalid tenant manifest (${count}):\n${issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`,
    { issues },
  )
}

/**
 * Reads and validates a tenant manifest file (JSON).
 *
 * @throws {@link TenantManifestError} `TENANT_MANIFEST_UNREADABLE` (cannot read), `TENANT_MANIFEST_JSON_INVALID` (not
 *   JSON) or `TENANT_MANIFEST_INVALID` (with `issues`).
 */
export async function readTenantManifest(file: string): Promise<TenantManifest> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new TenantManifestError(
      'TENANT_MANIFEST_UNREADABLE',
      `Cannot read the tenant manifest ${file} (${reason}); check the path (relative paths resolve against the current directory).`,
      { cause: error, file },
    )
  }
  return parseTenantManifestText(text, file)
}

/**
 * Parses and validates the text of a tenant manifest.
 *
 * @throws {@link TenantManifestError} `TENANT_MANIFEST_JSON_INVALID` or `TENANT_MANIFEST_INVALID`.
 */
export function parseTenantManifestText(text: string, file = '(text)'): TenantManifest {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new TenantManifestError(
      'TENANT_MANIFEST_JSON_INVALID',
      `The tenant manifest ${file} is not valid JSON: ${(error as Error).message}`,
      { cause: error, file },
    )
  }
  try {
    return parseTenantManifest(json)
  } catch (error) {
    if (error instanceof TenantManifestError) {
      throw new TenantManifestError('TENANT_MANIFEST_INVALID', `${file}: ${error.message}`, {
        issues: error.issues,
        file,
      })
    }
    throw error
  }
}

/** JSON Schema (draft 2020-12) of the tenant manifest as written; cross-tenant rules are in `description`s only. */
export function tenantManifestJsonSchema(): z.core.JSONSchema.JSONSchema {
  return z.toJSONSchema(TenantManifestSchema, { io: 'input', unrepresentable: 'any' })
}
