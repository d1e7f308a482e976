import { z } from 'zod'
import type { PolicyField } from './policy-schema.js'

/**
 * How a policy field was applied to a run:
 * - `enforced`: the backend checked it and would have refused a violation;
 * - `declared-only`: recorded in the bundle, but this backend cannot enforce it;
 * - `not-applicable`: nothing in the run touched it (e.g. no connectors were requested).
 */
export const EnforcementStatusSchema = z.enum(['enforced', 'declared-only', 'not-applicable'])

/** See {@link EnforcementStatusSchema}. */
export type EnforcementStatus = z.infer<typeof EnforcementStatusSchema>

/** How one policy field was applied, with a short human explanation. */
export const FieldEnforcementSchema = z.strictObject({
  status: EnforcementStatusSchema,
  detail: z.string().meta({ description: 'Short explanation, e.g. "checked before every dispatch".' }),
})

/** See {@link FieldEnforcementSchema}. */
export type FieldEnforcement = z.infer<typeof FieldEnforcementSchema>

/**
 * For each of the five policy fields, whether it was enforced, declared only, or not applicable.
 * Bundles embed it in their manifest next to the effective policy and its digest.
 */
export const PolicyEnforcementReportSchema = z
  .strictObject({
    commands: FieldEnforcementSchema,
    network: FieldEnforcementSchema,
    filesystem: FieldEnforcementSchema,
    secrets: FieldEnforcementSchema,
    approvals: FieldEnforcementSchema,
  })
  .meta({ title: 'codebox policy enforcement report' })

/** See {@link PolicyEnforcementReportSchema}. */
export type PolicyEnforcementReport = { readonly [field in PolicyField]: FieldEnforcement }
