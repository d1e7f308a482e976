import { cp, mkdir, readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type ApplyBundleChangesResult,
  applyBundleChanges,
  type DiscardBundleChangesResult,
  discardBundleChanges,
} from '@codebox/artifacts'
import { type PlaygroundCommands, playground } from '@codebox/backend-playground'
import {
  createRuntime,
  type FanOutEvent,
  type FanOutResult,
  fanOut,
  type Runtime,
} from '@codebox/runtime-core'
import { CANDIDATES, type Candidate, PROBES } from './candidates.js'

/** The plugin the candidates patch, as shipped in this example. */
export const PLUGIN_SOURCE = fileURLToPath(new URL('../plugin/word-count', import.meta.url))
const TARGET = '/wordpress/wp-content/plugins/word-count'
// A loaded machine slows WordPress down; the commands wait rather than fail.
const timeoutMs = 300_000

/** How one candidate did on the probes. */
export interface Score {
  readonly passed: number
  readonly total: number
  /** The probes it got wrong: the text, what it returned, what was expected. */
  readonly wrong: readonly { readonly text: string; readonly got: unknown; readonly expected: number }[]
  /** What the plugin's REST route answered for the first probe. */
  readonly rest: unknown
}

/** Options of {@link tryCandidates}. */
export interface TryCandidatesOptions {
  /** A fresh folder: the host copy of the plugin and the bundles go in it. */
  readonly workDir: string
  /** Most candidates tried at once. Default: the machine's cores, at most the number of candidates. */
  readonly concurrency?: number
  /** Receives every event of every candidate's runtime, tagged with the candidate. */
  readonly onEvent?: (event: FanOutEvent) => void
}

/** What {@link tryCandidates} did. */
export interface TryCandidatesResult {
  /** The host copy of the plugin: the best candidate's patch is applied to it. */
  readonly hostPlugin: string
  readonly results: readonly FanOutResult<Score>[]
  /** The candidate whose bundle was applied, if any passed a probe. */
  readonly best: string | undefined
  readonly applied: ApplyBundleChangesResult | undefined
  readonly discarded: readonly DiscardBundleChangesResult[]
}

type WordPress = Runtime<PlaygroundCommands>

/** Writes the candidate's body between the plugin's markers, inside the runtime's private copy of the plugin. */
async function patch(wordpress: WordPress, candidate: Candidate): Promise<void> {
  const body = Buffer.from(candidate.body).toString('base64')
  await wordpress.execute({
    command: 'wordpress.run-php',
    args: {
      bootstrap: 'none',
      code: `<?php
        $file = '${TARGET}/word-count.php';
        $patched = preg_replace(
          '~(// codebox:candidate-start\\n).*?(\\n\\s*// codebox:candidate-end)~s',
          '\${1}' . "\\t" . base64_decode('${body}') . '\${2}',
          file_get_contents($file)
        );
        file_put_contents($file, $patched);`,
    },
    throwOnFailure: true,
    timeoutMs,
  })
}

/** Activates the patched plugin (a candidate that breaks it throws here) and runs the probes. */
async function probe(wordpress: WordPress, candidate: Candidate): Promise<Score> {
  const activated = await wordpress.execute({
    command: 'wordpress.plugin-activate',
    args: { plugin: 'word-count' },
    timeoutMs,
  })
  if (activated.status !== 'ok') {
    throw new Error(`word-count does not activate with the ${candidate.name} patch: ${activated.message}`)
  }
  const texts = Buffer.from(JSON.stringify(PROBES.map((entry) => entry.text))).toString('base64')
  const counted = await wordpress.execute({
    command: 'wordpress.run-php',
    args: {
      code: `<?php echo json_encode(array_map('word_count_of', json_decode(base64_decode('${texts}'))));`,
    },
    throwOnFailure: true,
    timeoutMs,
  })
  const got = JSON.parse(counted.stdout) as unknown[]
  const wrong = PROBES.flatMap((entry, index) =>
    got[index] === entry.words ? [] : [{ text: entry.text, got: got[index], expected: entry.words }],
  )
  const rest = await wordpress.execute({
    command: 'wordpress.rest-request',
    args: { route: '/word-count/v1/count', params: { text: PROBES[0]!.text }, as: 'anonymous' },
    timeoutMs,
  })
  return {
    passed: PROBES.length - wrong.length,
    total: PROBES.length,
    wrong,
    rest: rest.status === 'ok' ? rest.value.data : rest.message,
  }
}

/**
 * The agent's loop: copies the plugin to a host folder, snapshots a fresh WordPress, and tries every candidate
 * patch in parallel from that snapshot — each on its own runtime with a private readwrite copy of the plugin,
 * probed, and collected into a bundle. The best candidate's bundle is applied to the host copy with
 * `applyBundleChanges`; the others are discarded.
 */
export async function tryCandidates(options: TryCandidatesOptions): Promise<TryCandidatesResult> {
  const hostDir = join(options.workDir, 'host')
  const hostPlugin = join(hostDir, 'word-count')
  await mkdir(hostDir, { recursive: true })
  await cp(PLUGIN_SOURCE, hostPlugin, { recursive: true })
  const policy = {
    commands: { allow: ['wordpress.*'] },
    filesystem: { mounts: [{ path: hostPlugin, modes: ['readwrite'] }] },
  }
  const backend = playground()

  let snapshot: Awaited<ReturnType<WordPress['snapshot']>>
  {
    await using base = await createRuntime({ backend, policy })
    snapshot = await base.snapshot()
  }

  const run = fanOut({
    backend,
    from: snapshot,
    policy,
    concurrency: options.concurrency ?? Math.min(availableParallelism(), CANDIDATES.length),
    collect: { directory: join(options.workDir, 'bundles') },
    variants: CANDIDATES.map((candidate) => ({
      name: candidate.name,
      input: candidate,
      mounts: [{ source: hostPlugin, target: TARGET, mode: 'readwrite' as const }],
    })),
    run: async (wordpress, { input }) => {
      await patch(wordpress, input)
      return probe(wordpress, input)
    },
  })
  const forwarding = (async () => {
    for await (const event of run.events()) options.onEvent?.(event)
  })()
  const results = await run.results
  await forwarding

  const ranked = results
    .filter((result) => result.status === 'fulfilled' && result.value.passed > 0)
    .sort((a, b) => score(b) - score(a))
  const best = ranked[0]
  const applied = best?.bundle ? await applyBundleChanges(best.bundle.path, hostPlugin) : undefined
  const discarded: DiscardBundleChangesResult[] = []
  for (const result of results) {
    if (result !== best && result.bundle) discarded.push(await discardBundleChanges(result.bundle.path))
  }
  return { hostPlugin, results, best: best?.variant, applied, discarded }
}

const score = (result: FanOutResult<Score>) => (result.status === 'fulfilled' ? result.value.passed : -1)

/** The host copy's `word_count_of()` body, between the markers. */
export async function candidateBody(pluginDir: string): Promise<string> {
  const source = await readFile(join(pluginDir, 'word-count.php'), 'utf8')
  return /\/\/ codebox:candidate-start\n\s*(.*?)\n/.exec(source)?.[1] ?? ''
}
