import type { Runtime, RuntimeEvent } from '@codebox/runtime-core'

/** The `runtime.progress` messages a runtime emitted while it was created (read back with a replaying observer). */
export async function progressMessages(runtime: Pick<Runtime, 'observe'>): Promise<string[]> {
  const messages: string[] = []
  for await (const event of runtime.observe({
    replay: true,
    types: ['runtime.progress', 'runtime.created'],
  })) {
    const typed = event as RuntimeEvent
    if (typed.type === 'runtime.created') break
    if (typed.type === 'runtime.progress' && typed.message) messages.push(typed.message)
  }
  return messages
}
