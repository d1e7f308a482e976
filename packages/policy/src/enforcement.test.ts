import { describe, expect, it } from 'vitest'
import { type PolicyEnforcementReport, PolicyEnforcementReportSchema } from './enforcement.js'
import { POLICY_FIELDS } from './policy-schema.js'

describe('PolicyEnforcementReportSchema', () => {
  const report: PolicyEnforcementReport = {
    commands: { status: 'enforced', detail: 'checked before every dispatch' },
    network: { status: 'declared-only', detail: 'the backend has no outbound network' },
    filesystem: { status: 'enforced', detail: 'mounts checked' },
    secrets: { status: 'not-applicable', detail: 'no connectors requested' },
    approvals: { status: 'enforced', detail: 'onApproval called' },
  }

  it('accepts a report covering exactly the five policy fields', () => {
    expect(PolicyEnforcementReportSchema.parse(report)).toEqual(report)
    expect(Object.keys(report).sort()).toEqual([...POLICY_FIELDS].sort())
  })

  it('rejects a missing field, an unknown field and an unknown status', () => {
    const { network: _omitted, ...missing } = report
    expect(PolicyEnforcementReportSchema.safeParse(missing).success).toBe(false)
    expect(PolicyEnforcementReportSchema.safeParse({ ...report, extra: report.commands }).success).toBe(false)
    const badStatus = { ...report, commands: { status: 'partly', detail: '' } }
    expect(PolicyEnforcementReportSchema.safeParse(badStatus).success).toBe(false)
  })
})
