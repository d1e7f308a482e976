import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bundleWorkerEntry, phpWorkerEntry } from './php-worker-entry.js'

describe('bundleWorkerEntry', () => {
  let dir: string
  let options: { entry: string; cacheDir: string }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'codebox-worker-entry-'))
    options = { entry: path.join(dir, 'entry.ts'), cacheDir: path.join(dir, 'cache') }
    await writeFile(
      options.entry,
      `import { sep } from 'node:path'\nimport { answer } from './dep.js'\nexport const result: string = answer + sep\n`,
    )
    await writeFile(path.join(dir, 'dep.ts'), `export const answer: string = 'first'\n`)
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('bundles a TypeScript entry and its local imports into one ESM file that Node runs', async () => {
    const bundled = await bundleWorkerEntry(options)
    expect(bundled.built).toBe(true)
    expect(bundled.url.pathname.endsWith('.mjs')).toBe(true)
    const code = await readFile(fileURLToPath(bundled.url), 'utf8')
    // The local module is inlined; the Node built-in stays an import.
    expect(code).toContain('"first"')
    expect(code).toMatch(/from "node:path"/)
    const loaded = (await import(bundled.url.href)) as { result: string }
    expect(loaded.result).toBe(`first${path.sep}`)
  })

  it('reuses the bundle while its sources are unchanged and rebuilds when one of them changes', async () => {
    const first = await bundleWorkerEntry(options)
    const again = await bundleWorkerEntry(options)
    expect(again).toEqual({ url: first.url, built: false })

    await writeFile(path.join(dir, 'dep.ts'), `export const answer: string = 'second'\n`)
    const changed = await bundleWorkerEntry(options)
    expect(changed.built).toBe(true)
    expect(changed.url.href).not.toBe(first.url.href)
    const loaded = (await import(changed.url.href)) as { result: string }
    expect(loaded.result).toBe(`second${path.sep}`)
  })
})

describe('phpWorkerEntry', () => {
  it('runs the worker from a bundle with no inherited loader flags when the package runs from source', async () => {
    const entry = await phpWorkerEntry()
    expect(entry.url.pathname).toMatch(
      /\/node_modules\/\.cache\/codebox-php-worker\/php-worker-[0-9a-f]{16}\.mjs$/,
    )
    expect(entry.execArgv).toEqual([])
    expect(await phpWorkerEntry()).toBe(entry)
  })
})
