/**
 * Forks are isolated, with and without a pool: a write in one fork (an option, a post, an uploaded file) is seen
 * neither by its siblings, nor by a fork made afterwards from the same snapshot, nor by the runtime that took it.
 */
import { playground, playgroundPool } from '@codebox/backend-playground'
import { createRuntime, type Runtime, type RuntimeSnapshot } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

type PlaygroundRuntime = Runtime<ReturnType<typeof playground>['commands']>

const policy = { commands: { allow: ['wordpress.*'] } } as const

async function php(runtime: PlaygroundRuntime, code: string): Promise<string> {
  const result = await runtime.execute({ command: 'wordpress.run-php', args: { code } })
  expect(result.status, result.stderr).toBe('ok')
  return result.stdout
}

const WRITE = `<?php
update_option('codebox_fork', 'written by the fork');
wp_insert_post(['post_title' => 'Fork post', 'post_name' => 'fork-post', 'post_status' => 'publish']);
wp_mkdir_p(WP_CONTENT_DIR . '/uploads');
file_put_contents(WP_CONTENT_DIR . '/uploads/fork.txt', 'fork');
echo 'ok';`

const READ = `<?php echo json_encode([
  'option' => get_option('codebox_fork'),
  'post' => get_page_by_path('fork-post', OBJECT, 'post') !== null,
  'file' => file_exists(WP_CONTENT_DIR . '/uploads/fork.txt'),
]);`

const UNTOUCHED = { option: 'from the snapshot', post: false, file: false }
const WRITTEN = { option: 'written by the fork', post: true, file: true }

describe.each([
  { name: 'forks from a snapshot', pool: undefined },
  { name: 'forks from a pool', pool: { size: 2 } },
])('$name', ({ pool }) => {
  let source: PlaygroundRuntime
  let snapshot: RuntimeSnapshot

  beforeAll(async () => {
    source = await createRuntime({ backend: playground(), policy })
    await php(source, "<?php update_option('codebox_fork', 'from the snapshot'); echo 'ok';")
    snapshot = await source.snapshot()
  }, 300_000)

  afterAll(async () => {
    await source?.destroy()
    await playgroundPool.drain()
  })

  it('keep a write in one fork out of its sibling, a later fork and the source', async () => {
    const backend = playground(pool ? { pool } : {})
    await using first = await createRuntime({ backend, policy, from: snapshot })
    await using sibling = await createRuntime({ backend, policy, from: snapshot })
    expect(await php(first, WRITE)).toBe('ok')
    expect(JSON.parse(await php(first, READ))).toEqual(WRITTEN)
    expect(JSON.parse(await php(sibling, READ))).toEqual(UNTOUCHED)
    if (pool) await playgroundPool.whenFull({ timeoutMs: 240_000 })
    await using later = await createRuntime({ backend, policy, from: snapshot })
    expect(JSON.parse(await php(later, READ))).toEqual(UNTOUCHED)
    expect(JSON.parse(await php(source, READ))).toEqual(UNTOUCHED)
  }, 600_000)
})
