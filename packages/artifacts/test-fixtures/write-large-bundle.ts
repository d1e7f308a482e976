// Child process for the kill test: writes a large bundle so a parent can SIGKILL it mid-write.
// Usage: node --import tsx write-large-bundle.ts <directory> <name> <directory|tar.gz>
import { randomFillSync } from 'node:crypto'
import { writeBundle } from '../src/index.js'
import { sampleInput } from './sample-input.js'

const [directory, name, format] = process.argv.slice(2)
const input = sampleInput()
const files = Array.from({ length: 150 }, (_, i) => ({
  mount: 'my-plugin',
  path: `blobs/blob-${String(i).padStart(3, '0')}.bin`,
  status: 'added' as const,
  after: randomFillSync(new Uint8Array(128 * 1024)),
}))
input.changes = { mounts: input.changes!.mounts, files: [...input.changes!.files, ...files] }
process.stdout.write('writing\n')
const result = await writeBundle(input, {
  directory: directory!,
  name: name!,
  format: format === 'tar.gz' ? 'tar.gz' : 'directory',
})
process.stdout.write(`done ${result.path}\n`)
