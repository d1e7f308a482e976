import type { RecipeEvent } from '@codebox/runtime-core'
import ora, { type Ora } from 'ora'
import type { CliIo } from './cli-output.js'

/** Renders recipe progress: a live spinner on a terminal, plain lines otherwise, nothing when `quiet`. */
export interface RecipeProgress {
  readonly onEvent: (event: RecipeEvent) => void
  /** Stops any live display (idempotent). */
  stop(): void
}

function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`
}

/** Plain, line-per-event progress for logs and pipes. */
function plainProgress(io: CliIo): RecipeProgress {
  const line = (text: string) => io.stderr.write(`codebox: ${text}\n`)
  return {
    onEvent: (event) => {
      switch (event.type) {
        case 'recipe.phase.started':
          line(
            `${event.phase} …${event.steps > 0 ? ` (${event.steps} step${event.steps === 1 ? '' : 's'})` : ''}`,
          )
          break
        case 'recipe.phase.finished':
          line(`${event.phase} ${event.status} (${duration(event.durationMs)})`)
          break
        case 'recipe.step.finished': {
          const { outcome } = event
          if (outcome.status === 'skipped') break
          line(
            `  ${outcome.name} [${outcome.command}] ${outcome.status} (${duration(outcome.durationMs)})${outcome.message ? `: ${outcome.message}` : ''}`,
          )
          break
        }
        case 'recipe.collect.started':
          line(`collecting the bundle into ${event.directory}`)
          break
        default:
          break
      }
    },
    stop: () => {},
  }
}

/** A live spinner per phase; finished steps are kept as lines above it. */
function liveProgress(io: CliIo): RecipeProgress {
  let spinner: Ora | undefined
  const spin = (text: string) => {
    if (spinner) spinner.text = text
    else spinner = ora({ text, stream: io.stderr as NodeJS.WriteStream }).start()
  }
  const persist = (kind: 'succeed' | 'fail' | 'warn' | 'info', text: string) => {
    if (!spinner) spinner = ora({ stream: io.stderr as NodeJS.WriteStream })
    spinner[kind](text)
    spinner = undefined
  }
  return {
    onEvent: (event) => {
      switch (event.type) {
        case 'recipe.phase.started':
          spin(`${event.phase}…`)
          break
        case 'recipe.step.started':
          spin(`${event.phase}: ${event.name} (${event.command})`)
          break
        case 'recipe.step.finished': {
          const { outcome } = event
          if (outcome.status === 'skipped') break
          const text = `${outcome.phase}: ${outcome.name} ${duration(outcome.durationMs)}`
          if (outcome.status === 'ok') persist('succeed', text)
          else persist('fail', `${text} — ${outcome.message ?? outcome.status}`)
          break
        }
        case 'recipe.phase.finished':
          if (event.phase === 'boot') {
            persist(event.status === 'ok' ? 'succeed' : 'fail', `boot ${duration(event.durationMs)}`)
          } else if (event.status === 'skipped') {
            persist('info', `${event.phase}: skipped`)
          }
          break
        case 'recipe.collect.started':
          spin(`collecting the bundle into ${event.directory}`)
          break
        case 'recipe.finished':
          spinner?.stop()
          spinner = undefined
          break
        default:
          break
      }
    },
    stop: () => {
      spinner?.stop()
      spinner = undefined
    },
  }
}

/** Picks the progress display for the output stream. */
export function createRecipeProgress(io: CliIo, options: { quiet: boolean }): RecipeProgress {
  if (options.quiet) return { onEvent: () => {}, stop: () => {} }
  return io.stdout.isTTY && io.stderr.isTTY ? liveProgress(io) : plainProgress(io)
}
