import { describe, expect, it } from 'vitest'
import type { CommandCatalogue } from '../commands.js'
import type { ConformanceContext } from './conformance-context.js'

/** `snapshot()`: a snapshot restores into a new runtime with the same, independent state. */
export function describeSnapshotConformance<C extends CommandCatalogue>(ctx: ConformanceContext<C>): void {
  const { options, timeout, create, exec } = ctx
  describe('snapshot', () => {
    it(
      'restores a snapshot into a new runtime with the same state',
      async () => {
        const value = `snap-${Date.now()}`
        expect((await exec(ctx.shared, options.state.write(value))).status).toBe('ok')
        const snapshot = await ctx.shared.snapshot()
        expect(snapshot.bytes.byteLength).toBeGreaterThan(0)
        const child = await create({ from: snapshot })
        try {
          expect(options.state.valueOf(await exec(child, options.state.read()))).toBe(value)
          await exec(child, options.state.write('child-only'))
          expect(options.state.valueOf(await exec(ctx.shared, options.state.read()))).toBe(value)
        } finally {
          await child.destroy()
        }
      },
      timeout * 2,
    )
  })
}
