/**
 * Child process entry of the queue figures: one recipe worker (options as JSON in argv[2]) that prints `ready` once
 * it takes jobs and drains on SIGTERM. Run by `queue-figures.ts` with this process's loader flags.
 */
import { type CreateRecipeWorkerOptions, createRecipeWorker } from '@codebox/queue'

const options = JSON.parse(process.argv[2] ?? '{}') as CreateRecipeWorkerOptions
const worker = await createRecipeWorker(options)
process.on('SIGTERM', () => {
  void worker.close({ graceMs: 0 }).then(() => process.exit(0))
})
console.log('ready')
