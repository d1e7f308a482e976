import { fileURLToPath } from 'node:url'
import { defineWordPressFixture } from '@codebox/vitest'
import { expect } from 'vitest'
import { hasWpGraphql, needsWpGraphql } from './wp-graphql-available.js'

const greeter = fileURLToPath(new URL('../plugin/codebox-greeter', import.meta.url))
// A loaded CI machine slows WordPress down; these tests wait for it rather than fail.
const timeoutMs = 300_000

// Configured once: the site (the plugin installed and activated, its salutation set by `setup`) is
// prepared once for this file; every test gets its own fork of it.
const test = defineWordPressFixture({
  plugins: [{ slug: 'codebox-greeter', source: greeter }, ...(hasWpGraphql ? ['wp-graphql'] : [])],
  setup: async (wordpress) => {
    await wordpress.execute({
      command: 'wordpress.option-set',
      args: { name: 'codebox_greeter_salutation', value: 'Howdy' },
      throwOnFailure: true,
      timeoutMs,
    })
  },
})

// Preparing the site is the slow part (seconds; longer on a cold cache), so it runs under the hook timeout.
test.beforeAll(async ({ wordpressSite }) => {
  expect(wordpressSite.snapshot.backend).toBe('playground')
})

test('activates, running its activation hook', async ({ wordpress }) => {
  const plugins = await wordpress.execute({
    command: 'wordpress.plugin-list',
    throwOnFailure: true,
    timeoutMs,
  })
  expect(plugins.status === 'ok' && plugins.value).toContainEqual(
    expect.objectContaining({ file: 'codebox-greeter/codebox-greeter.php', active: true }),
  )
  const version = await wordpress.execute({
    command: 'wordpress.option-get',
    args: { name: 'codebox_greeter_version' },
    timeoutMs,
  })
  expect(version.status === 'ok' && version.value).toEqual({ exists: true, value: '1.0.0' })
})

test('answers its REST route with the salutation setup chose', async ({ wordpress }) => {
  const response = await wordpress.execute({
    command: 'wordpress.rest-request',
    args: { route: '/codebox-greeter/v1/greeting', params: { name: 'Ada' }, as: 'anonymous' },
    timeoutMs,
  })
  expect(response.status === 'ok' && response.value).toMatchObject({
    status: 200,
    data: { greeting: 'Howdy, Ada!' },
  })
})

test('writes an option from its publish hook', async ({ wordpress }) => {
  const published = await wordpress.execute({
    command: 'wordpress.run-php',
    args: {
      code: `<?php
        wp_insert_post(['post_title' => 'Tested in a fork', 'post_status' => 'draft']);
        $id = wp_insert_post(['post_title' => 'Published in a fork', 'post_status' => 'publish']);
        echo get_option('codebox_greeter_last_published');`,
    },
    timeoutMs,
  })
  expect(published.stdout).toBe('Published in a fork')
})

test('starts every test from the prepared site: the post and option of another test are not here', async ({
  wordpress,
}) => {
  const state = await wordpress.execute({
    command: 'wordpress.run-php',
    args: {
      code: `<?php echo json_encode([
        'option' => get_option('codebox_greeter_last_published', null),
        'posts' => count(get_posts(['title' => 'Published in a fork', 'post_status' => 'any'])),
        'salutation' => get_option('codebox_greeter_salutation'),
      ]);`,
    },
    timeoutMs,
  })
  expect(JSON.parse(state.stdout)).toEqual({ option: null, posts: 0, salutation: 'Howdy' })
})

test.skipIf(!hasWpGraphql)(`adds a greeting field to GraphQL ${needsWpGraphql}`, async ({ wordpress }) => {
  const response = await wordpress.execute({
    command: 'wordpress.graphql',
    args: { query: 'query Greet($name: String) { greeting(name: $name) }', variables: { name: 'Grace' } },
    timeoutMs,
  })
  expect(response.status === 'ok' && response.value).toMatchObject({
    httpStatus: 200,
    data: { greeting: 'Howdy, Grace!' },
  })
  expect(response.status === 'ok' && (response.value.errors ?? [])).toEqual([])
})
