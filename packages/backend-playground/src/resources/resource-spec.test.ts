import { describe, expect, it } from 'vitest'
import { findPluginHeader } from './plugin-header.js'
import { normalizePluginSpec, normalizeToolSpec, PluginSpecSchema } from './resource-spec.js'

describe('plugin and tool specs', () => {
  it('gives wp-graphql its pinned default version 2.5.3 and activates it as a normal plugin', () => {
    expect(normalizePluginSpec('wp-graphql')).toMatchObject({
      slug: 'wp-graphql',
      version: '2.5.3',
      activate: true,
      loadAs: 'plugin',
    })
    expect(normalizePluginSpec('wp-graphql@1.14.0').version).toBe('1.14.0')
  })

  it('leaves the version open for an unknown slug and for an explicit source', () => {
    expect(normalizePluginSpec('hello-dolly').version).toBeUndefined()
    expect(normalizePluginSpec({ slug: 'wp-graphql', source: './wp-graphql.zip' }).version).toBeUndefined()
  })

  it('normalises a bare hex hash to sha256:<lower-case hex>', () => {
    const spec = normalizePluginSpec({
      slug: 'x',
      sha256: 'AB'.repeat(32),
      loadAs: 'mu-plugin',
      activate: false,
    })
    expect(spec).toMatchObject({ sha256: `sha256:${'ab'.repeat(32)}`, loadAs: 'mu-plugin', activate: false })
  })

  it('rejects unknown keys, bad slugs and path-like versions', () => {
    expect(PluginSpecSchema.safeParse({ slug: 'x', colour: 'red' }).success).toBe(false)
    expect(PluginSpecSchema.safeParse('WP GraphQL').success).toBe(false)
    expect(() => normalizePluginSpec({ slug: 'x', version: '../../etc' })).toThrow(/\$\.version/)
  })

  it('defaults wp-cli to 2.10.0 unless a version or a local phar is given', () => {
    expect(normalizeToolSpec('wp-cli').version).toBe('2.10.0')
    expect(normalizeToolSpec('wp-cli@2.11.0').version).toBe('2.11.0')
    expect(normalizeToolSpec({ name: 'wp-cli', source: './wp-cli.phar' }).version).toBeUndefined()
    expect(() => normalizeToolSpec('composer')).toThrow(/RESOURCE_SPEC_INVALID|not a tool spec/)
  })
})

describe('findPluginHeader', () => {
  const files: Record<string, string> = {
    'uninstall.php': '<?php // no header here\n',
    'zz-main.php': '<?php\n/*\nPlugin Name: Single Line */\n',
    'my-plugin.php': '<?php\n/**\n * Plugin Name:  My Plugin  \n * Version: 1.2.3 */\n',
  }
  const read = (file: string) => new TextEncoder().encode(files[file] ?? '')

  it('prefers <slug>.php and reads Version the way WordPress trims it', async () => {
    expect(await findPluginHeader(Object.keys(files), read, 'my-plugin')).toEqual({
      file: 'my-plugin.php',
      name: 'My Plugin',
      version: '1.2.3',
    })
  })

  it('falls back to the first file in name order that has a Plugin Name header', async () => {
    expect(await findPluginHeader(['uninstall.php', 'zz-main.php'], read, 'other')).toEqual({
      file: 'zz-main.php',
      name: 'Single Line',
      version: undefined,
    })
    expect(await findPluginHeader(['uninstall.php'], read, 'other')).toBeUndefined()
  })
})
