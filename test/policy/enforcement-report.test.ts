/**
 * The bundle's policy record against the real Playground runtime: the effective policy, its digest and a per-field
 * enforcement report in which every `enforced` claim names a test that proves it. Also: the command allow-list
 * (the proof behind `commands: enforced`) and path-precise errors for a malformed policy given to createRuntime.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type PlaygroundCommands, playground } from '@codebox/backend-playground'
import {
  PolicyEnforcementReportSchema,
  PolicyValidationError,
  parsePolicy,
  policyDigest,
  RuntimeCommandPolicyViolationError,
} from '@codebox/policy'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

const policyInput = {
  commands: { allow: ['wordpress.option-get'] },
  network: { allowHosts: ['api.example.com:443', '127.0.0.1:8080'] },
  filesystem: { mounts: [{ path: '/srv/plugins', modes: ['readonly' as const] }] },
  approvals: { mode: 'on-write' as const },
}

let runtime: Runtime<PlaygroundCommands>
let work: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'codebox-report-'))
  runtime = await createRuntime({ backend: playground(), policy: policyInput })
})

afterAll(async () => {
  await runtime?.destroy()
  await rm(work, { recursive: true, force: true })
})

describe('commands.allow', () => {
  it('denies a command outside the allow-list before it reaches WordPress and runs one inside it', async () => {
    const denied = await runtime.execute({
      command: 'wordpress.run-php',
      args: { code: '<?php echo "ran";', bootstrap: 'none' },
    })
    expect(denied.status).toBe('denied')
    expect(denied.status === 'denied' && denied.code).toBe('POLICY_COMMAND_DENIED')
    expect(denied.stdout).toBe('')
    const allowed = await runtime.execute({ command: 'wordpress.option-get', args: { name: 'blogname' } })
    expect(allowed.status).toBe('ok')
  })
})

describe('commands.allow with throwOnFailure', () => {
  it('throws the policy error itself: code, command, policy digest and a JSON form', async () => {
    const error = await runtime
      .execute({
        command: 'wordpress.run-php',
        args: { code: '<?php echo "ran";', bootstrap: 'none' },
        throwOnFailure: true,
      })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RuntimeCommandPolicyViolationError)
    expect(error).toMatchObject({
      code: 'POLICY_COMMAND_DENIED',
      command: 'wordpress.run-php',
      policyDigest: runtime.policyDigest,
    })
    expect((error as RuntimeCommandPolicyViolationError).toJSON()).toMatchObject({
      code: 'POLICY_COMMAND_DENIED',
      details: { command: 'wordpress.run-php', policyDigest: runtime.policyDigest },
    })
    // Recorded like any denied command.
    expect(runtime.history.at(-1)).toMatchObject({ command: 'wordpress.run-php', status: 'denied' })
  })
})

describe("the bundle's manifest", () => {
  it('carries the effective policy, its digest and a per-field enforcement report', async () => {
    const bundle = await runtime.collect({ directory: join(work, 'bundle') })
    const manifest = JSON.parse(await readFile(join(bundle.path, 'manifest.json'), 'utf8')) as {
      policy: { effective: unknown; digest: string; enforcement: unknown }
    }
    const effective = parsePolicy(policyInput)
    expect(manifest.policy.effective).toEqual(JSON.parse(JSON.stringify(effective)))
    expect(manifest.policy.digest).toBe(policyDigest(effective))
    expect(manifest.policy.digest).toBe(runtime.policyDigest)
    const report = PolicyEnforcementReportSchema.parse(manifest.policy.enforcement)
    expect({
      commands: report.commands.status,
      network: report.network.status,
      filesystem: report.filesystem.status,
      secrets: report.secrets.status,
      approvals: report.approvals.status,
    }).toEqual({
      commands: 'enforced',
      network: 'enforced',
      filesystem: 'enforced',
      // No connectors were declared in this run.
      secrets: 'not-applicable',
      approvals: 'enforced',
    })
    expect(report.filesystem.detail).toMatch(/writableRoots: none declared/)
  })

  it('labels a field declared-only or not-applicable when the backend cannot back it or nothing used it', async () => {
    const other = await createRuntime({
      backend: playground(),
      policy: {
        ...policyInput,
        filesystem: { ...policyInput.filesystem, writableRoots: ['/wordpress/wp-content/uploads'] },
        approvals: { mode: 'never' },
      },
    })
    try {
      const bundle = await other.collect({ directory: join(work, 'bundle-declared') })
      const manifest = JSON.parse(await readFile(join(bundle.path, 'manifest.json'), 'utf8'))
      const report = PolicyEnforcementReportSchema.parse(manifest.policy.enforcement)
      // The Playground backend enforces mounts but not writable roots: the field is not claimed as enforced.
      expect(report.filesystem.status).toBe('declared-only')
      expect(report.filesystem.detail).toContain('/wordpress/wp-content/uploads')
      expect(report.approvals.status).toBe('not-applicable')
    } finally {
      await other.destroy()
    }
  }, 120_000)

  it('names, for every enforced field, an existing test file that proves it', async () => {
    const bundle = await runtime.collect({ directory: join(work, 'bundle-2') })
    const manifest = JSON.parse(await readFile(join(bundle.path, 'manifest.json'), 'utf8')) as {
      policy: { enforcement: Record<string, { status: string; detail: string }> }
    }
    expect(
      Object.values(manifest.policy.enforcement).filter((entry) => entry.status === 'enforced').length,
    ).toBe(4)
    for (const [field, entry] of Object.entries(manifest.policy.enforcement)) {
      if (entry.status !== 'enforced') continue
      const named = entry.detail.match(/test\/[\w/.-]+\.test\.ts/g) ?? []
      expect(named, `${field} names no test`).not.toEqual([])
      for (const file of named) expect(existsSync(join(repoRoot, file)), `${field}: ${file}`).toBe(true)
    }
  })
})

describe('a malformed policy', () => {
  it('makes createRuntime throw PolicyValidationError listing every bad path', async () => {
    const error = await createRuntime({
      backend: playground(),
      policy: {
        commands: { allow: ['', 'wordpress.*'] },
        network: { allowHosts: ['api.example.com', 'http://x.com', '*'] },
        filesystem: { mounts: [{ path: 'relative/dir', modes: [] }], writableRoots: ['wp-content'] },
        secrets: 'some',
        approvals: { mode: 'sometimes' },
        extra: 1,
      },
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(PolicyValidationError)
    const issues = (error as PolicyValidationError).issues
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      [
        '$.commands.allow[0]',
        '$.network.allowHosts[1]',
        '$.network.allowHosts[2]',
        '$.filesystem.mounts[0].path',
        '$.filesystem.mounts[0].modes',
        '$.filesystem.writableRoots[0]',
        '$.secrets',
        '$.approvals.mode',
        '$.extra',
      ].sort(),
    )
    for (const issue of issues) expect(issue.message.length, issue.path).toBeGreaterThan(10)
  })
})
