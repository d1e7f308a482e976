import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { playground } from '@codebox/backend-playground'
import { createRuntime, type Runtime } from '@codebox/runtime-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { progressMessages } from './progress-messages.js'

type PlaygroundRuntime = Runtime<ReturnType<typeof playground>['commands']>

const here = dirname(fileURLToPath(import.meta.url))
const tsx = join(here, '..', '..', 'node_modules', '.bin', 'tsx')
const policy = { commands: { allow: ['wordpress.*'] } } as const

// fflate and the bundled builds are dependencies of the backend, not of this test package: resolve them from there.
const backendRequire = createRequire(join(here, '..', '..', 'packages', 'backend-playground', 'package.json'))
const { unzipSync, zipSync } = (await import(backendRequire.resolve('fflate'))) as {
  unzipSync(zip: Uint8Array): Record<string, Uint8Array>
  zipSync(files: Record<string, Uint8Array>, options?: { level?: 1 }): Uint8Array
}
const buildZip = join(
  dirname(backendRequire.resolve('@wp-playground/wordpress-builds/package.json')),
  'src',
  'wordpress',
  'wp-6.5.zip',
)

/** Files of a Playground build that a wordpress.org release does not have: the installed site and build notes. */
const BUILD_ONLY = /^(wp-config\.php|wp-content\/database\/.*|\.default_theme|wordpress-remote-asset-paths)$/

/**
 * A release in the wordpress.org layout (`wordpress/` with wp-admin, wp-includes, wp-content,
 * wp-config-sample.php, no wp-config.php and no database), made offline from the real WordPress code of the
 * bundled 6.5 build. Returns the zip, the unpacked directory and the version in its version.php.
 */
async function makeRelease(work: string): Promise<{ zipPath: string; dir: string; version: string }> {
  const build = unzipSync(new Uint8Array(await readFile(buildZip)))
  const release: Record<string, Uint8Array> = {}
  for (const [name, bytes] of Object.entries(build)) {
    if (name.endsWith('/') || BUILD_ONLY.test(name)) continue
    release[`wordpress/${name}`] = bytes
  }
  const dir = join(work, 'unpacked', 'wordpress')
  for (const [name, bytes] of Object.entries(release)) {
    const target = join(work, 'unpacked', name)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, bytes)
  }
  const zipPath = join(work, 'wordpress-release.zip')
  await writeFile(zipPath, zipSync(release, { level: 1 }))
  const versionPhp = new TextDecoder().decode(release['wordpress/wp-includes/version.php'])
  const version = /\$wp_version = '([^']+)'/.exec(versionPhp)?.[1]
  if (!version) throw new Error('no $wp_version in the build')
  return { zipPath, dir, version }
}

/** The base templates (`site-*`) in the cache, with the WordPress each was installed from. */
async function baseTemplates(cacheDir: string): Promise<{ name: string; marker: Record<string, unknown> }[]> {
  const names = (await readdir(join(cacheDir, 'sites')).catch(() => [] as string[])).filter(
    (name) => name.startsWith('site-') && !name.includes('.tmp-'),
  )
  return Promise.all(
    names.map(async (name) => ({
      name,
      marker: JSON.parse(await readFile(join(cacheDir, 'sites', name, 'codebox-template.json'), 'utf8')),
    })),
  )
}

const versionOf = (runtime: PlaygroundRuntime) =>
  runtime.execute({ command: 'wordpress.run-php', args: { code: `<?php echo get_bloginfo('version');` } })

describe('playground({ wordpress }) from a WordPress release', () => {
  let work: string
  let cacheDir: string
  let release: { zipPath: string; dir: string; version: string }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codebox-wp-sources-'))
    cacheDir = join(work, 'cache')
    release = await makeRelease(work)
  })

  afterAll(async () => {
    await rm(work, { recursive: true, force: true })
  })

  it('installs a release zip once into a cached template and boots a real WordPress of that version', async () => {
    const runtime = await createRuntime({
      backend: playground({ wordpress: release.zipPath, cacheDir }),
      policy,
    })
    try {
      const result = await runtime.execute({
        command: 'wordpress.run-php',
        args: {
          code: `<?php echo json_encode([
            'version' => get_bloginfo('version'),
            'db' => get_class($GLOBALS['wpdb']),
            'permalinks' => get_option('permalink_structure'),
            'admin' => get_user_by('login', 'admin') ? true : false,
          ]);`,
        },
      })
      expect(result.status).toBe('ok')
      expect(JSON.parse(result.stdout)).toEqual({
        version: release.version,
        db: 'WP_SQLite_DB',
        permalinks: '/%postname%/',
        admin: true,
      })
      const page = await runtime.execute({ command: 'wordpress.http-request', args: { path: '/wp-json/' } })
      expect(page.status === 'ok' && page.value.status).toBe(200)
      expect(await progressMessages(runtime)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^built site template /)]),
      )
    } finally {
      await runtime.destroy()
    }

    // The template has the shape of a build's: a site layer whose core is a symlink into a layer named by the zip's hash.
    const [template, ...others] = await baseTemplates(cacheDir)
    expect(others).toEqual([])
    expect(template?.marker).toMatchObject({ wordpressVersion: release.version, installedFrom: 'release' })
    const zipSha = createHash('sha256')
      .update(await readFile(release.zipPath))
      .digest('hex')
    expect(await readlink(join(cacheDir, 'sites', template?.name as string, 'wp-includes'))).toBe(
      join(cacheDir, 'layers', `core-${zipSha}`, 'wp-includes'),
    )
  }, 180_000)

  it('reuses the installed template in another process: no installer, no new template', async () => {
    const [before] = await baseTemplates(cacheDir)
    const markerPath = join(cacheDir, 'sites', before?.name as string, 'codebox-template.json')
    const markerMtime = (await stat(markerPath)).mtimeMs
    const database = join(cacheDir, 'sites', before?.name as string, 'wp-content/database/.ht.sqlite')
    const databaseBefore = await readFile(database)

    const { stdout } = await promisify(execFile)(
      tsx,
      ['--conditions=source', join(here, 'fixtures', 'create-from-wordpress.ts'), release.zipPath, cacheDir],
      { cwd: here, timeout: 120_000 },
    )
    const child = JSON.parse(stdout.trim().split('\n').at(-1) as string) as {
      createMs: number
      progress: string[]
      version: string
    }
    expect(child.version).toBe(release.version)
    expect(child.progress).toEqual(
      expect.arrayContaining([expect.stringMatching(/^reused cached site template /)]),
    )
    expect(child.progress.some((message) => message.startsWith('built'))).toBe(false)
    expect((await baseTemplates(cacheDir)).map((template) => template.name)).toEqual([before?.name])
    expect((await stat(markerPath)).mtimeMs).toBe(markerMtime)
    expect((await readFile(database)).equals(databaseBefore)).toBe(true)
  }, 150_000)

  it('installs a release directory, and an edited directory gets a new template that has the edit', async () => {
    const created = async () => {
      const runtime = await createRuntime({
        backend: playground({ wordpress: release.dir, cacheDir }),
        policy,
      })
      try {
        const probe = await runtime.execute({
          command: 'wordpress.run-php',
          args: {
            code: `<?php echo get_bloginfo('version'), '|', @file_get_contents(WP_CONTENT_DIR . '/probe.txt');`,
          },
        })
        return { stdout: probe.stdout, progress: await progressMessages(runtime) }
      } finally {
        await runtime.destroy()
      }
    }
    const first = await created()
    expect(first.stdout).toBe(`${release.version}|`)
    expect(first.progress).toEqual(expect.arrayContaining([expect.stringMatching(/^built site template /)]))
    const templates = (await baseTemplates(cacheDir)).length

    const again = await created()
    expect(again.progress).toEqual(
      expect.arrayContaining([expect.stringMatching(/^reused cached site template /)]),
    )
    expect((await baseTemplates(cacheDir)).length).toBe(templates)

    await writeFile(join(release.dir, 'wp-content', 'probe.txt'), 'edited')
    const edited = await created()
    expect(edited.stdout).toBe(`${release.version}|edited`)
    expect(edited.progress).toEqual(expect.arrayContaining([expect.stringMatching(/^built site template /)]))
    expect((await baseTemplates(cacheDir)).length).toBe(templates + 1)
  }, 300_000)

  it('accepts the directory the zip was unpacked into (holding wordpress/)', async () => {
    const runtime = await createRuntime({
      backend: playground({ wordpress: dirname(release.dir), cacheDir }),
      policy,
    })
    try {
      expect((await versionOf(runtime)).stdout).toBe(release.version)
    } finally {
      await runtime.destroy()
    }
  }, 180_000)

  it('rejects a path that does not exist with WORDPRESS_UNAVAILABLE naming the option and the fix', async () => {
    const error = await createRuntime({
      backend: playground({ wordpress: join(work, 'no-such-wordpress.zip'), cacheDir }),
      policy,
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'WORDPRESS_UNAVAILABLE' })
    const message = (error as Error).message
    expect(message).toMatch(/playground\(\{ wordpress: /)
    expect(message).toMatch(/no-such-wordpress\.zip/)
    expect(message).toMatch(/bundled version .*6\.5.*release zip.*directory/)
  })

  it('rejects a zip or directory that is not a WordPress release, saying what was expected', async () => {
    const notWordPress = join(work, 'not-wordpress.zip')
    await writeFile(notWordPress, zipSync({ 'plugin/plugin.php': new TextEncoder().encode('<?php') }))
    const notAZip = join(work, 'not-a-zip.zip')
    await writeFile(notAZip, 'plain text')
    const emptyDir = join(work, 'empty-dir')
    await mkdir(emptyDir)
    for (const wordpress of [notWordPress, notAZip, emptyDir]) {
      const error = await createRuntime({ backend: playground({ wordpress, cacheDir }), policy }).catch(
        (e: unknown) => e,
      )
      expect(error, wordpress).toMatchObject({ code: 'WORDPRESS_RELEASE_INVALID' })
      expect((error as Error).message).toMatch(/is not a WordPress release/)
      expect((error as Error).message).toMatch(/expected .*wordpress\/ .*wp-admin\/, wp-includes\//)
    }
  })
})
