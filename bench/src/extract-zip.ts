import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { unzipSync } from 'fflate'

/**
 * Extracts a zip into `targetDir`, optionally dropping the first path component (a zip with one top folder).
 * Refuses entries that would land outside `targetDir`.
 */
export async function extractZip(
  zipPath: string,
  targetDir: string,
  options: { readonly stripFirstComponent?: boolean } = {},
): Promise<void> {
  const entries = unzipSync(await readFile(zipPath))
  const root = path.resolve(targetDir)
  for (const [name, data] of Object.entries(entries)) {
    const relative = options.stripFirstComponent ? name.split('/').slice(1).join('/') : name
    if (relative === '') continue
    const target = path.resolve(root, relative)
    if (target !== root && !target.startsWith(`${root}${path.sep}`)) {
      throw new Error(`zip entry ${name} in ${zipPath} escapes the target directory`)
    }
    if (name.endsWith('/')) await mkdir(target, { recursive: true })
    else {
      await mkdir(path.dirname(target), { recursive: true })
      await writeFile(target, data)
    }
  }
}
