import { cp, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ResolvedPlugin } from '../resources/index.js'
import { PhpWorker } from '../worker/php-worker-client.js'
import { bundledTemplate } from './bundled-template.test-fixture.js'
import { buildCompiledPlugin, compiledPluginDir, withCompiledPlugins } from './compiled-plugins.js'
import type { WordPressTemplate } from './prepare-template.js'

const VFS_PATH = '/wordpress/wp-content/plugins/probe'

function probePlugin(pluginPath: string, origin: ResolvedPlugin['origin']): ResolvedPlugin {
  return {
    kind: 'plugin',
    slug: 'probe',
    version: '1.0.0',
    sha256: `sha256:${'ab'.repeat(32)}`,
    origin,
    source: pluginPath,
    path: pluginPath,
    pluginFile: 'probe/probe.php',
    name: 'Probe',
    activate: false,
    loadAs: 'plugin',
  }
}

/** The OPcache system id of this PHP build: the one directory PHP's file cache writes under. */
async function phpSystemId(): Promise<string> {
  await using worker = await PhpWorker.start({ phpIni: { 'opcache.file_update_protection': '0' } })
  const listed = await worker.run({
    code: `<?php file_put_contents('/tmp/x.php', '<?php 1;'); include '/tmp/x.php';
      echo implode(',', array_diff(scandir('/internal/shared/opcache'), ['.', '..']));`,
  })
  return listed.stdout
}

// Real PHP: a worker compiles a plugin layer without running it, and runtimes load that layer's entries read-only.
describe('compiled plugin layers (OPcache file cache shared read-only)', () => {
  let template: WordPressTemplate
  let work: string
  let plugin: string
  let systemId: string

  beforeAll(async () => {
    template = await bundledTemplate()
    work = await mkdtemp(path.join(os.tmpdir(), 'codebox-compiled-plugins-'))
    plugin = path.join(work, 'probe')
    await mkdir(path.join(plugin, 'src'), { recursive: true })
    // Compiling must not run anything: this file's output would break the build's JSON answer.
    await writeFile(path.join(plugin, 'probe.php'), "<?php echo 'ran';")
    await writeFile(path.join(plugin, 'src', 'a.php'), "<?php $marker = 'a';")
    await writeFile(path.join(plugin, 'src', 'b.php'), "<?php $marker = 'b';")
    await writeFile(path.join(plugin, 'src', 'broken.php'), '<?php this is not PHP;')
    const mtime = new Date('2026-01-01T00:00:00Z')
    for (const file of ['a.php', 'b.php']) await utimes(path.join(plugin, 'src', file), mtime, mtime)
    systemId = await phpSystemId()
  }, 180_000)

  afterAll(async () => {
    await rm(work, { recursive: true, force: true })
  })

  it('compiles every file without running one, counts the ones that do not compile, and refuses another system id', async () => {
    const dir = path.join(work, 'compiled')
    const marker = await buildCompiledPlugin(probePlugin(plugin, 'cache'), '8.3', systemId, dir)
    expect(marker).toMatchObject({ format: 1, systemId, vfsPath: VFS_PATH, compiled: 3, failed: 1 })
    expect(JSON.parse(await readFile(path.join(dir, 'codebox-compiled-plugin.json'), 'utf8'))).toEqual(marker)
    await expect(readFile(path.join(dir, 'entries', 'src', 'a.php.bin'))).resolves.toBeInstanceOf(Buffer)
    await expect(readFile(path.join(dir, 'entries', 'probe.php.bin'))).resolves.toBeInstanceOf(Buffer)

    const elsewhere = path.join(work, 'other-system')
    await expect(
      buildCompiledPlugin(probePlugin(plugin, 'cache'), '8.3', 'f'.repeat(32), elsewhere),
    ).rejects.toThrow(`wrote none under system id ${'f'.repeat(32)}`)
  }, 120_000)

  it('is what PHP runs: an entry swapped on purpose is served instead of compiling the file, read-only', async () => {
    const dir = path.join(work, 'compiled-swap')
    await buildCompiledPlugin(probePlugin(plugin, 'cache'), '8.3', systemId, dir)
    const entries = path.join(dir, 'entries', 'src')
    await cp(path.join(entries, 'b.php.bin'), path.join(entries, 'a.php.bin'))
    const probe = `<?php include '${VFS_PATH}/src/a.php'; echo $marker;
      echo '|', @file_put_contents('/internal/shared/opcache/${systemId}${VFS_PATH}/src/x.bin', 'x') === false ? 'read-only' : 'writable';`
    const worker = (layers: { dir: string; vfsPath: string }[]) =>
      PhpWorker.start({
        wordpress: { siteDir: template.siteDir, compiledCore: { dir: work, systemId, layers } },
        mounts: [{ hostPath: plugin, vfsPath: VFS_PATH, readOnly: true }],
      })
    await using withLayer = await worker([{ dir: path.join(dir, 'entries'), vfsPath: VFS_PATH }])
    expect((await withLayer.run({ code: probe })).stdout).toBe('b|read-only')
    await using without = await worker([])
    expect((await without.run({ code: probe })).stdout).toMatch(/^a\|/)
  }, 120_000)

  it('adds only immutable layers, finds them on disk the next time, and falls back when a build fails', async () => {
    const cache = path.join(work, 'cache')
    const core = { dir: work, systemId }
    const messages: string[] = []
    const progress = (message: string) => messages.push(message)

    expect(await withCompiledPlugins(core, [probePlugin(plugin, 'local')], '8.3', cache, { progress })).toBe(
      core,
    )
    expect(messages).toEqual([])

    const layered = await withCompiledPlugins(core, [probePlugin(plugin, 'cache')], '8.3', cache, {
      progress,
    })
    const dir = compiledPluginDir(cache, probePlugin(plugin, 'cache'), core)
    expect(layered).toEqual({ ...core, layers: [{ dir: path.join(dir, 'entries'), vfsPath: VFS_PATH }] })
    expect(messages).toEqual([
      expect.stringMatching(/^compiled 3 files of plugin probe for PHP 8\.3 in \d+ ms/),
    ])
    expect(
      await withCompiledPlugins(core, [probePlugin(plugin, 'cache')], '8.3', cache, { progress }),
    ).toEqual(layered)
    expect(messages).toHaveLength(1)

    // A file touched after the build would make PHP compile it on every request (it cannot replace a read-only
    // entry): the layer gets a new directory, built once.
    const later = new Date('2026-02-01T00:00:00Z')
    await utimes(path.join(plugin, 'src', 'b.php'), later, later)
    const rebuilt = await withCompiledPlugins(core, [probePlugin(plugin, 'cache')], '8.3', cache, {
      progress,
    })
    expect(rebuilt.layers?.[0]?.dir).not.toBe(layered.layers?.[0]?.dir)
    expect(messages).toHaveLength(2)
    messages.length = 1

    // A layer with no PHP file compiles to nothing: the build fails.
    const empty = path.join(work, 'empty-plugin')
    await mkdir(empty)
    await writeFile(path.join(empty, 'readme.txt'), 'no code here')
    const failing = { ...probePlugin(empty, 'download'), sha256: `sha256:${'cd'.repeat(32)}` }
    expect(await withCompiledPlugins(core, [failing], '8.3', cache, { progress })).toBe(core)
    expect(messages[1]).toMatch(/^could not compile plugin probe ahead \(.+\); PHP compiles it itself$/)
    // Not tried again on every create.
    expect(await withCompiledPlugins(core, [failing], '8.3', cache, { progress })).toBe(core)
    expect(messages).toHaveLength(2)
    // A layer that cannot even be listed is left out too.
    const gone = {
      ...probePlugin(path.join(work, 'no-such-plugin'), 'download'),
      sha256: `sha256:${'ef'.repeat(32)}`,
    }
    expect(await withCompiledPlugins(core, [gone], '8.3', cache, { progress })).toBe(core)
    expect(messages[2]).toMatch(/^could not compile plugin probe ahead \(ENOENT.+\); PHP compiles it itself$/)
  }, 120_000)
})
