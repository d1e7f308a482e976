import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyBundle } from '@codebox/artifacts'
import { describe, expect, it } from 'vitest'
import type { CommandCatalogue } from '../commands.js'
import type { ConformanceContext } from './conformance-context.js'

/** `collect()`: the bundle verifies and records every command. */
export function describeCollectConformance<C extends CommandCatalogue>(ctx: ConformanceContext<C>): void {
  const { options, timeout, create, exec } = ctx
  describe('collect', () => {
    it(
      'writes a bundle that verifies and records every command',
      async () => {
        const runtime = await create()
        const out = await mkdtemp(join(tmpdir(), 'codebox-conformance-bundle-'))
        try {
          await exec(runtime, options.echo('bundled'))
          await exec(runtime, options.fail())
          const bundle = await runtime.collect({ directory: out })
          const report = await verifyBundle(bundle.path)
          expect(report.problems).toEqual([])
          expect(report.ok).toBe(true)
          const lines = (await readFile(join(bundle.path, 'commands.jsonl'), 'utf8')).trim().split('\n')
          expect(lines.map((line) => JSON.parse(line).status)).toEqual(['ok', 'failed'])
        } finally {
          await runtime.destroy()
          await rm(out, { recursive: true, force: true })
        }
      },
      timeout,
    )
  })
}
