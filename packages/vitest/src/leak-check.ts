import { type LiveRuntimeRecord, runtimeRegistry } from '@codebox/runtime-core'
import { WordPressFixtureError } from './wordpress-fixture-error.js'

/** The first lines of a creation stack that point at code outside codebox itself: where the caller made it. */
function callerFrames(stack: string | undefined): string {
  if (!stack) return '    (no stack recorded)'
  const frames = stack.split('\n').slice(1)
  const outside = frames.filter((frame) => !/[\\/](runtime-core|vitest)[\\/](src|dist)[\\/]/.test(frame))
  return (outside.length > 0 ? outside : frames).slice(0, 4).join('\n')
}

/**
 * Remembers which runtimes were live at a point in time, so that the ones made after it and still live later can
 * be found: they outlived the scope (a test, a file) that made them.
 */
export class LeakCheck {
  readonly #before: ReadonlySet<string>

  constructor() {
    this.#before = new Set(runtimeRegistry.liveIds())
  }

  /**
   * Destroys every runtime made since this check began that is still live, and throws
   * `VITEST_RUNTIME_LEAKED` naming each with the stack of the `createRuntime()` call that made it. A runtime
   * whose destroy is already under way is waited for, not reported.
   */
  async settle(scope: string): Promise<void> {
    const leftOver = runtimeRegistry.live().filter((record) => !this.#before.has(record.id))
    const leaked: LiveRuntimeRecord[] = leftOver.filter((record) => record.state !== 'destroying')
    await Promise.allSettled(leftOver.map((record) => record.destroy()))
    if (leaked.length === 0) return
    const listed = leaked.map((record) => `  ${record.id}, created at:\n${callerFrames(record.createdAt)}`)
    throw new WordPressFixtureError(
      'VITEST_RUNTIME_LEAKED',
      `${leaked.length === 1 ? 'A runtime' : `${leaked.length} runtimes`} outlived ${scope} and ${leaked.length === 1 ? 'was' : 'were'} destroyed by the leak check; destroy each runtime you create (\`await using runtime = …\` or \`await runtime.destroy()\` in a finally block):\n${listed.join('\n')}`,
      { details: { runtimes: leaked.map((record) => record.id), scope } },
    )
  }
}
