import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type FanOutEvent, runtimeRegistry } from '@codebox/runtime-core'
import { afterAll, expect, it } from 'vitest'
import { CANDIDATES } from '../src/candidates.js'
import { candidateBody, PLUGIN_SOURCE, tryCandidates } from '../src/try-candidates.js'

const workDir = await mkdtemp(join(tmpdir(), 'codebox-agent-fanout-test-'))

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true })
})

it('tries three patches in parallel on real WordPress, applies the best bundle to the host copy and discards the rest', async () => {
  const shipped = await readFile(join(PLUGIN_SOURCE, 'word-count.php'), 'utf8')
  const events: FanOutEvent[] = []
  const outcome = await tryCandidates({ workDir, concurrency: 3, onEvent: (event) => events.push(event) })

  const [broken, partial, correct] = outcome.results
  // The patch with a parse error fails its variant, named, while the other two go on.
  expect(broken).toMatchObject({ status: 'rejected', variant: 'trim-explode' })
  expect(broken?.status === 'rejected' && broken.error.message).toMatch(
    /^Variant "trim-explode" failed while running: word-count does not activate with the trim-explode patch: PHP parse error/,
  )
  expect(partial).toMatchObject({
    status: 'fulfilled',
    variant: 'str-word-count',
    value: { passed: 5, total: 6, wrong: [{ text: '3 apples', got: 1, expected: 2 }], rest: { words: 3 } },
  })
  expect(correct).toMatchObject({
    status: 'fulfilled',
    variant: 'preg-split',
    value: { passed: 6, total: 6, wrong: [], rest: { words: 3 } },
  })

  // The winner's change reaches the host copy; the shipped plugin and the losers' changes do not move.
  expect(outcome.best).toBe('preg-split')
  expect(outcome.applied?.applied.map((change) => change.path)).toEqual(['word-count.php'])
  expect(await candidateBody(outcome.hostPlugin)).toBe(CANDIDATES[2]?.body)
  expect(await readFile(join(PLUGIN_SOURCE, 'word-count.php'), 'utf8')).toBe(shipped)
  expect(outcome.discarded.map((entry) => entry.discarded.map((change) => change.path))).toEqual([
    ['word-count.php'],
    ['word-count.php'],
  ])

  // Every candidate's runtime events arrived tagged with it, between its started and settled events.
  for (const candidate of CANDIDATES) {
    const mine = events.filter((event) => 'variant' in event && event.variant === candidate.name)
    expect(mine[0]?.type).toBe('variant.started')
    expect(mine.at(-1)?.type).toBe('variant.settled')
    expect(mine.some((event) => event.type === 'command.finished')).toBe(true)
  }
  expect(runtimeRegistry.liveIds()).toEqual([])
}, 600_000)
