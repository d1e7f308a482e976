import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CommandCatalogue } from '../commands.js'
import type { CreateRuntimeOptions } from '../runtime.js'
import { allowAll, type ConformanceContext } from './conformance-context.js'

/** `mount()`: readonly mounts with their own undo, approval of read-write mounts, refused targets and sources. */
export function describeMountConformance<C extends CommandCatalogue>(ctx: ConformanceContext<C>): void {
  const { options, timeout, create, exec } = ctx
  describe('mounts', () => {
    it(
      'mounts a host directory readonly and returns its own unmount',
      async () => {
        const target = `${options.mountRoot}/conformance-ro`
        const unmount = await ctx.shared.mount({ source: ctx.hostDir, target, mode: 'readonly' })
        const read = await exec(ctx.shared, options.readFile(`${target}/hello.txt`))
        expect(read.stdout).toContain('hello from the host')
        expect(unmount.mount.target).toBe(target)
        await unmount()
        await unmount()
      },
      timeout,
    )

    it(
      'asks for approval of a readwrite mount only when the policy puts writes under approval',
      async () => {
        const plain = await ctx.shared.mount({
          source: ctx.hostDir,
          target: `${options.mountRoot}/rw-plain`,
          mode: 'readwrite',
        })
        await plain()
        const requests: string[] = []
        const guarded = await create({
          policy: { ...allowAll, approvals: { mode: 'on-write' } },
          onApproval: (request) => {
            requests.push(request.description)
            return false
          },
        } as Partial<CreateRuntimeOptions<C>>)
        try {
          const refused = await guarded
            .mount({ source: ctx.hostDir, target: `${options.mountRoot}/rw-guarded`, mode: 'readwrite' })
            .catch((e: unknown) => e)
          expect((refused as { code?: string }).code).toBe('APPROVAL_DENIED')
          expect(requests).toHaveLength(1)
          await (
            await guarded.mount({
              source: ctx.hostDir,
              target: `${options.mountRoot}/ro-guarded`,
              mode: 'readonly',
            })
          )()
          expect(requests).toHaveLength(1)
        } finally {
          await guarded.destroy()
        }
      },
      timeout,
    )

    it(
      'refuses targets with ".." and sources outside the policy',
      async () => {
        const dots = await ctx.shared
          .mount({ source: ctx.hostDir, target: `${options.mountRoot}/../../etc` })
          .catch((e: unknown) => e)
        expect((dots as { code?: string }).code).toBe('MOUNT_INVALID')
        const runtime = await create({
          policy: {
            ...allowAll,
            filesystem: { mounts: [{ path: join(ctx.hostDir, 'elsewhere'), modes: ['readonly'] }] },
          },
        } as Partial<CreateRuntimeOptions<C>>)
        try {
          const denied = await runtime
            .mount({ source: ctx.hostDir, target: `${options.mountRoot}/x` })
            .catch((e: unknown) => e)
          expect((denied as { code?: string }).code).toBe('POLICY_MOUNT_DENIED')
        } finally {
          await runtime.destroy()
        }
      },
      timeout,
    )
  })
}
