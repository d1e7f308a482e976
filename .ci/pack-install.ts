// Installs codebox as a user would: builds, `pnpm pack`s every publishable package, installs all the tarballs
// together with npm into a fresh project outside the workspace, type-checks a small strict TypeScript consumer
// against them (tsc from the workspace), runs it (create → run PHP → destroy), runs a vitest file that uses
// @codebox/vitest, and runs the installed `codebox` bin. A missing `files` entry, an `exports` map that points at
// nothing without the `source` condition, or broken types fail it. Prints how long each phase took.
//
//   npx -y pnpm@9.15.9 exec tsx .ci/pack-install.ts [--no-build] [--keep]
//
// npm reuses its cache (~/.npm): the first run downloads the PHP-WebAssembly and WordPress packages (hundreds of MB
// unpacked); later runs install from the cache.
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  CONSUMER_FIXTURE_TEST,
  CONSUMER_MAIN,
  CONSUMER_TSCONFIG,
  CONSUMER_VITEST_CONFIG,
} from './pack-install-consumer.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const args = new Set(process.argv.slice(2))
const PNPM = ['npx', '-y', 'pnpm@9.15.9']
const timings: [string, number][] = []

interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly peerDependencies?: Record<string, string>
  readonly devDependencies?: Record<string, string>
}

/** Runs a command, streaming its output; resolves with stdout, rejects naming the command when it fails. */
function run(command: string, commandArgs: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, commandArgs, { cwd, stdio: ['ignore', 'pipe', 'inherit'], env: process.env })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      process.stdout.write(chunk)
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolvePromise(stdout)
      else reject(new Error(`\`${[command, ...commandArgs].join(' ')}\` in ${cwd} exited with ${code}`))
    })
  })
}

async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  console.log(`\n-- ${name}`)
  const started = performance.now()
  try {
    return await work()
  } finally {
    timings.push([name, (performance.now() - started) / 1000])
  }
}

/** The workspace packages that get published: `packages/*` not marked private. */
async function publishable(): Promise<{ dir: string; manifest: Manifest }[]> {
  const found: { dir: string; manifest: Manifest }[] = []
  for (const entry of await readdir(join(root, 'packages'), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const dir = join(root, 'packages', entry.name)
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest
    if (!manifest.private) found.push({ dir, manifest })
  }
  return found.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name))
}

async function main(): Promise<void> {
  const packages = await publishable()
  console.log(`publishable: ${packages.map((entry) => entry.manifest.name).join(', ')}`)
  if (!args.has('--no-build'))
    await phase('build', () => run(PNPM[0]!, [...PNPM.slice(1), 'run', 'build'], root))

  const work = await mkdtemp(join(tmpdir(), 'codebox-pack-install-'))
  if (`${work}${sep}`.startsWith(`${root}${sep}`))
    throw new Error(`${work} is inside the workspace; set TMPDIR`)
  const tarballs = join(work, 'tarballs')
  const consumer = join(work, 'consumer')
  await mkdir(tarballs)
  await mkdir(join(consumer, 'src'), { recursive: true })
  try {
    const packed = await phase('pnpm pack', async () => {
      const files: Record<string, string> = {}
      for (const { dir, manifest } of packages) {
        const before = new Set(await readdir(tarballs))
        await run(PNPM[0]!, [...PNPM.slice(1), 'pack', '--pack-destination', tarballs], dir)
        const made = (await readdir(tarballs)).find((file) => !before.has(file))
        if (!made) throw new Error(`pnpm pack wrote no tarball for ${manifest.name}`)
        files[manifest.name] = join(tarballs, made)
      }
      return files
    })

    // Every tarball is a direct dependency, so the packages' dependencies on each other (`workspace:^`, which
    // `pnpm pack` rewrote to `^<version>`) resolve to these tarballs and never to the registry.
    const workspaceManifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Manifest
    const vitestRange = workspaceManifest.devDependencies?.vitest ?? '^4.1.0'
    await writeFile(
      join(consumer, 'package.json'),
      `${JSON.stringify(
        {
          name: 'codebox-pack-install-consumer',
          private: true,
          type: 'module',
          dependencies: Object.fromEntries(
            Object.entries(packed).map(([name, file]) => [name, `file:${relative(consumer, file)}`]),
          ),
          devDependencies: { '@types/node': '^20', vitest: vitestRange },
        },
        null,
        2,
      )}\n`,
    )
    await writeFile(join(consumer, 'tsconfig.json'), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`)
    await writeFile(join(consumer, 'src', 'main.ts'), CONSUMER_MAIN)
    await writeFile(join(consumer, 'src', 'fixture.test.ts'), CONSUMER_FIXTURE_TEST)
    await writeFile(join(consumer, 'vitest.config.ts'), CONSUMER_VITEST_CONFIG)

    await phase('npm install (tarballs + registry, npm cache reused)', () =>
      run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], consumer),
    )
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    await phase('tsc (strict, library checks on)', () =>
      run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer),
    )
    const output = await phase('run the consumer: create → run PHP → destroy', () =>
      run(process.execPath, ['out/main.js'], consumer),
    )
    const lines = output.trim().split('\n')
    const first = JSON.parse(lines.at(-2) ?? '{}') as { stdout?: string; exports?: unknown[] }
    const last = JSON.parse(lines.at(-1) ?? '{}') as { state?: string }
    if (!/^installed: 6\.5\.\d+ on PHP 8\.3\.\d+$/.test(first.stdout ?? '') || last.state !== 'destroyed') {
      throw new Error(`the consumer printed something unexpected:\n${output}`)
    }
    if (JSON.stringify(first.exports) !== JSON.stringify(['function', 'function', 'function', 0])) {
      throw new Error(`an export is missing from the installed packages: ${JSON.stringify(first.exports)}`)
    }
    await phase('vitest with @codebox/vitest', () =>
      run(join(consumer, 'node_modules', '.bin', 'vitest'), ['run', '--reporter=default'], consumer),
    )
    await phase('the installed codebox bin', async () => {
      const schema = await run(
        join(consumer, 'node_modules', '.bin', 'codebox'),
        ['schema', 'recipe'],
        consumer,
      )
      if (!schema.includes('wp-codebox/workspace-recipe/v1'))
        throw new Error('`codebox schema` printed no schema')
    })
  } finally {
    if (args.has('--keep')) console.log(`kept ${work}`)
    else await rm(work, { recursive: true, force: true })
    const total = timings.reduce((sum, [, seconds]) => sum + seconds, 0)
    console.log('\npack-install timings:')
    for (const [name, seconds] of timings) console.log(`  ${name}: ${seconds.toFixed(1)} s`)
    console.log(`  total: ${total.toFixed(1)} s`)
  }
  console.log('pack-install: ok')
}

main().catch((error: unknown) => {
  console.error(`pack-install FAILED: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
})
