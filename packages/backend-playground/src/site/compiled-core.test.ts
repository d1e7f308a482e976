import { existsSync } from 'node:fs'
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PhpWorker } from '../worker/php-worker-client.js'
import { bundledTemplate } from './bundled-template.test-fixture.js'
import {
  buildCompiledCore,
  COMPILED_CORE_DIRS,
  compiledCoreDir,
  ensureCompiledCore,
} from './compiled-core.js'
import type { WordPressTemplate } from './prepare-template.js'

// Real PHP: a trusted worker compiles core into a host directory, and a second worker loads from it read-only.
describe('compiled core (OPcache file cache shared read-only)', () => {
  let template: WordPressTemplate
  let work: string
  let compiled: string
  let systemId: string

  beforeAll(async () => {
    template = await bundledTemplate()
    work = await mkdtemp(path.join(os.tmpdir(), 'codebox-compiled-core-'))
    compiled = path.join(work, 'compiled')
    await buildCompiledCore(template, '8.3', compiled)
    systemId = (await readdir(compiled)).find((name) => name !== 'codebox-compiled-core.json') ?? ''
  }, 180_000)

  afterAll(async () => {
    await rm(work, { recursive: true, force: true })
  })

  it('publishes only the immutable directories, under one system id, with a marker', async () => {
    expect(systemId).toMatch(/^[0-9a-f]{32}$/)
    const marker = JSON.parse(await readFile(path.join(compiled, 'codebox-compiled-core.json'), 'utf8'))
    expect(marker).toMatchObject({ format: 1, systemId, phpVersion: '8.3', coreSha256: template.coreSha256 })
    const wordpress = path.join(compiled, systemId, 'wordpress')
    expect((await readdir(wordpress)).sort()).toEqual(['wp-admin', 'wp-content', 'wp-includes'])
    expect(await readdir(path.join(wordpress, 'wp-content'))).toEqual(['plugins'])
    expect(await readdir(path.join(wordpress, 'wp-content', 'plugins'))).toEqual([
      'sqlite-database-integration',
    ])
    expect((await readdir(path.join(wordpress, 'wp-includes'))).length).toBeGreaterThan(100)
    expect(COMPILED_CORE_DIRS).toContain('wp-includes')
    expect(compiledCoreDir(template, '8.3')).toMatch(/[/\\]compiled[/\\]core-[0-9a-f]{32}$/)
  })

  it('is what PHP runs: an entry swapped on purpose is served instead of compiling the file, read-only', async () => {
    // A copy where load.php's entry holds version.php's compiled code. Both files carry the same mtime in the
    // template, so only a PHP that takes load.php from this directory (instead of compiling it) sets $wp_version.
    const swapped = path.join(work, 'swapped')
    await cp(compiled, swapped, { recursive: true })
    const includes = path.join(swapped, systemId, 'wordpress', 'wp-includes')
    await cp(path.join(includes, 'version.php.bin'), path.join(includes, 'load.php.bin'))
    const probe = `<?php include '/wordpress/wp-includes/load.php'; echo $wp_version ?? 'compiled from source';
      echo '|', @file_put_contents('/internal/shared/opcache/${systemId}/wordpress/wp-includes/x.bin', 'x') === false ? 'read-only' : 'writable';`
    await using withCore = await PhpWorker.start({
      wordpress: { siteDir: template.siteDir, compiledCore: { dir: swapped, systemId } },
    })
    expect((await withCore.run({ code: probe })).stdout).toBe(`${template.wordpressVersion}|read-only`)
    await using without = await PhpWorker.start({ wordpress: { siteDir: template.siteDir } })
    expect((await without.run({ code: probe })).stdout).toMatch(/^compiled from source\|/)
  }, 120_000)

  it('falls back to PHP compiling core itself when a build fails, and does not try again in this process', async () => {
    // A template whose site directory is gone: the trusted worker cannot load WordPress.
    const broken = {
      ...template,
      coreDir: path.join(work, 'broken-cache', 'layers', 'core'),
      siteDir: path.join(work, 'no-such-site'),
      coreSha256: 'ef'.repeat(32),
    } satisfies WordPressTemplate
    const messages: string[] = []
    const progress = (message: string) => messages.push(message)
    expect(await ensureCompiledCore(broken, '8.3', { progress })).toBeUndefined()
    expect(messages).toEqual([
      expect.stringMatching(/^could not compile WordPress core ahead \(.+\); PHP compiles it itself$/),
    ])
    expect(await ensureCompiledCore(broken, '8.3', { progress })).toBeUndefined()
    expect(messages).toHaveLength(1)
    expect(existsSync(compiledCoreDir(broken, '8.3'))).toBe(false)
  }, 120_000)
})
