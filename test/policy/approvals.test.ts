/**
 * Approvals against the real Playground runtime. These tests back the `approvals: enforced` label of the
 * enforcement report: commands with `writes: true` and read-write mounts ask `onApproval` under `on-write`, a
 * rejection or a missing callback denies, and the request the callback sees is redacted.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type PlaygroundCommands, playground } from '@codebox/backend-playground'
import type { ApprovalRequest } from '@codebox/policy'
import { createRuntime, isCodeboxError, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const SECRET = `approval-secret-${Math.random().toString(36).slice(2)}-value`

let root: string
const requests: ApprovalRequest[] = []
let answer = true
let runtime: Runtime<PlaygroundCommands>
let noCallback: Runtime<PlaygroundCommands>

const policy = () => ({
  commands: { allow: ['wordpress.*'] },
  approvals: { mode: 'on-write' as const },
  secrets: 'connector-scoped' as const,
  filesystem: { mounts: [{ path: root, modes: ['readonly' as const, 'readwrite' as const] }] },
})

async function optionValue(target: Runtime<PlaygroundCommands>, name: string): Promise<unknown> {
  const result = await target.execute({ command: 'wordpress.option-get', args: { name } })
  if (result.status !== 'ok') throw new Error(`option-get failed: ${result.status}`)
  return result.value.exists ? result.value.value : undefined
}

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'codebox-approvals-')))
  runtime = await createRuntime({
    backend: playground(),
    policy: policy(),
    connectors: [{ name: 'crm', secrets: ['CRM_TOKEN'] }],
    env: { CRM_TOKEN: SECRET },
    onApproval: (request) => {
      requests.push(request)
      return answer
    },
  })
  noCallback = await createRuntime({ backend: playground(), policy: policy() })
})

afterAll(async () => {
  await runtime?.destroy()
  await noCallback?.destroy()
  await rm(root, { recursive: true, force: true })
})

describe("approvals: { mode: 'on-write' } with an onApproval callback", () => {
  it('asks before wordpress.option-set and wordpress.run-php but not before wordpress.option-get', async () => {
    requests.length = 0
    answer = true
    expect(
      (await runtime.execute({ command: 'wordpress.option-set', args: { name: 'codebox_a', value: 'x' } }))
        .status,
    ).toBe('ok')
    expect(
      (
        await runtime.execute({
          command: 'wordpress.run-php',
          args: { code: '<?php echo 1;', bootstrap: 'none' },
        })
      ).status,
    ).toBe('ok')
    expect(
      (await runtime.execute({ command: 'wordpress.option-get', args: { name: 'codebox_a' } })).status,
    ).toBe('ok')
    expect(requests.map((request) => [request.kind, request.command])).toEqual([
      ['write', 'wordpress.option-set'],
      ['write', 'wordpress.run-php'],
    ])
  })

  it('hands the callback a redacted description and args (a secret planted in the args does not reach it)', async () => {
    requests.length = 0
    answer = true
    await runtime.execute({
      command: 'wordpress.option-set',
      args: { name: 'codebox_secret', value: SECRET },
    })
    expect(requests).toHaveLength(1)
    const seen = JSON.stringify(requests[0])
    expect(seen).not.toContain(SECRET)
    expect(requests[0]?.description).toContain('wordpress.option-set')
    expect(requests[0]?.description).toContain('[REDACTED')
  })

  it('denies the command when the callback rejects, and the write does not happen', async () => {
    answer = false
    const result = await runtime.execute({
      command: 'wordpress.option-set',
      args: { name: 'codebox_rejected', value: 'should not be written' },
    })
    answer = true
    expect(result.status).toBe('denied')
    expect(result.status === 'denied' && result.reason).toBe('approval')
    expect(result.status === 'denied' && result.code).toBe('APPROVAL_DENIED')
    expect(await optionValue(runtime, 'codebox_rejected')).toBeUndefined()
  })

  it('asks before a read-write mount (not a readonly one) and refuses the mount when rejected', async () => {
    requests.length = 0
    answer = false
    const refused = await runtime
      .mount({ source: root, target: '/wordpress/wp-content/rw', mode: 'readwrite' })
      .then(
        () => 'mounted',
        (error: unknown) => (isCodeboxError(error) ? error.code : String(error)),
      )
    answer = true
    expect(refused).toBe('APPROVAL_DENIED')
    const unmount = await runtime.mount({
      source: root,
      target: '/wordpress/wp-content/ro',
      mode: 'readonly',
    })
    await unmount()
    expect(requests.map((request) => request.kind)).toEqual(['write'])
    const check = await runtime.execute({
      command: 'wordpress.run-php',
      args: { code: `<?php var_dump(is_dir('/wordpress/wp-content/rw'));`, bootstrap: 'none' },
    })
    expect(check.stdout).toContain('bool(false)')
  })

  it('asks before a read-write mount given to createRuntime and fails creation when rejected', async () => {
    const asked: ApprovalRequest[] = []
    const error = await createRuntime({
      backend: playground(),
      policy: policy(),
      mounts: [{ source: root, target: '/wordpress/wp-content/rw', mode: 'readwrite' }],
      onApproval: (request) => {
        asked.push(request)
        return false
      },
    }).then(
      (created) => created.destroy().then(() => 'created'),
      (caught: unknown) => (isCodeboxError(caught) ? caught.code : String(caught)),
    )
    expect(asked.map((request) => request.kind)).toEqual(['write'])
    expect(error).toBe('APPROVAL_DENIED')
  })
})

describe("approvals: { mode: 'on-write' } without an onApproval callback", () => {
  it('denies commands that write and still runs the ones that do not', async () => {
    const denied = await noCallback.execute({
      command: 'wordpress.option-set',
      args: { name: 'codebox_b', value: 'x' },
    })
    expect(denied.status).toBe('denied')
    expect(denied.status === 'denied' && denied.code).toBe('APPROVAL_DENIED')
    expect(await optionValue(noCallback, 'codebox_b')).toBeUndefined()
  })

  it('refuses a read-write mount', async () => {
    const refused = await noCallback
      .mount({ source: root, target: '/wordpress/wp-content/rw', mode: 'readwrite' })
      .then(
        () => 'mounted',
        (error: unknown) => (isCodeboxError(error) ? error.code : String(error)),
      )
    expect(refused).toBe('APPROVAL_DENIED')
  })
})
