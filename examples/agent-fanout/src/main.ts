/**
 * `pnpm --filter @codebox/example-agent-fanout start`: an agent's fan-out. Three candidate fixes of a plugin's
 * word count are tried in parallel from one WordPress snapshot, each probed; the best one's bundle is applied to a
 * host copy of the plugin and the others are discarded.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CANDIDATES } from './candidates.js'
import { candidateBody, tryCandidates } from './try-candidates.js'

const workDir = await mkdtemp(join(tmpdir(), 'codebox-agent-fanout-'))
console.log(
  `trying ${CANDIDATES.length} candidate patches of word-count in parallel (work folder ${workDir})`,
)
const outcome = await tryCandidates({
  workDir,
  onEvent: (event) => {
    if (event.type === 'variant.started') console.log(`  [${event.variant}] started`)
    else if (event.type === 'command.finished') {
      console.log(`  [${event.variant}] ${event.command} → ${event.status} (${event.durationMs} ms)`)
    }
  },
})
for (const result of outcome.results) {
  if (result.status === 'fulfilled') {
    const { passed, total, wrong } = result.value
    const misses = wrong.map((entry) => `${JSON.stringify(entry.text)} → ${entry.got}, not ${entry.expected}`)
    console.log(
      `${result.variant}: ${passed}/${total} probes${misses.length ? ` (${misses.join('; ')})` : ''}`,
    )
  } else {
    console.log(`${result.variant}: ${result.error.code}: ${result.error.message}`)
  }
}
console.log(`best: ${outcome.best ?? 'none'}`)
if (outcome.applied) {
  console.log(
    `applied ${outcome.applied.applied.map((change) => change.path).join(', ')} to ${outcome.hostPlugin}`,
  )
  console.log(`word_count_of() is now: ${await candidateBody(outcome.hostPlugin)}`)
}
console.log(`discarded ${outcome.discarded.length} bundle(s)`)
