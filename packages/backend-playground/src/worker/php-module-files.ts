import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import * as phpWasmNodeModule from '@php-wasm/node'

// The @php-wasm/* declarations are not resolvable under NodeNext (see php-worker.mjs); used untyped here.
const { getPHPLoaderModule } = phpWasmNodeModule as unknown as {
  getPHPLoaderModule(version: string): Promise<{ dependencyFilename: string }>
}

/** A file of the PHP runtime with its digest. */
export interface PhpRuntimeFile {
  /** Absolute path. */
  readonly path: string
  /** Path inside its npm package, e.g. `asyncify/8_3_33/php_8_3.wasm`. */
  readonly file: string
  readonly sizeBytes: number
  /** `sha256:<hex>` of the bytes. */
  readonly sha256: string
}

/** Where the PHP build for one version lives: its npm package, the module the loader picks, the extensions. */
export interface PhpRuntimeLocation {
  /** The `@php-wasm/node-<x>-<y>` package and its version. */
  readonly packageName: string
  readonly packageVersion: string
  readonly packageDir: string
  /** `jspi` or `asyncify`: the build the loader picked for this Node.js. */
  readonly variant: string
  /** The exact PHP release of the build, e.g. `8.3.33`. */
  readonly build: string
  /** The `.wasm` module the worker loads. */
  readonly moduleFile: string
  /** Every PHP extension (`.so`) the package ships for this build, by name. */
  readonly extensionFiles: ReadonlyMap<string, string>
}

const locations = new Map<string, Promise<PhpRuntimeLocation>>()

async function locate(phpVersion: string): Promise<PhpRuntimeLocation> {
  const moduleFile = (await getPHPLoaderModule(phpVersion)).dependencyFilename
  // <package>/<variant>/<8_3_33>/php_8_3.wasm
  const buildDir = path.dirname(moduleFile)
  const variantDir = path.dirname(buildDir)
  const packageDir = path.dirname(variantDir)
  const pkg = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as {
    name: string
    version: string
  }
  const extensionFiles = new Map<string, string>()
  const extensionsDir = path.join(variantDir, 'extensions')
  for (const entry of await readdir(extensionsDir, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory()) continue
    const so = path.join(extensionsDir, entry.name, `${entry.name}.so`)
    if (
      await stat(so).then(
        (info) => info.isFile(),
        () => false,
      )
    )
      extensionFiles.set(entry.name, so)
  }
  return {
    packageName: pkg.name,
    packageVersion: pkg.version,
    packageDir,
    variant: path.basename(variantDir),
    build: path.basename(buildDir).replaceAll('_', '.'),
    moduleFile,
    extensionFiles: new Map([...extensionFiles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  }
}

/** Where the PHP build of `phpVersion` lives (looked up once per process). */
export function locatePhpRuntime(phpVersion: string): Promise<PhpRuntimeLocation> {
  let found = locations.get(phpVersion)
  if (!found) {
    found = locate(phpVersion)
    locations.set(phpVersion, found)
    found.catch(() => locations.delete(phpVersion))
  }
  return found
}

/** Digests by path, size and mtime: the runtime's files are 20+ MB, so each is hashed once per process. */
const digests = new Map<string, string>()

/**
 * The digest of a file, hashed once per process for a given path, size and mtime. `bytes`, when the caller already
 * read the file, are hashed instead of reading it again.
 */
export async function fileDigest(
  file: string,
  bytes?: Uint8Array,
): Promise<{ readonly sha256: string; readonly sizeBytes: number }> {
  const info = await stat(file)
  const key = `${file}\0${info.size}\0${info.mtimeMs}`
  let sha256 = digests.get(key)
  if (sha256 === undefined) {
    const hash = createHash('sha256')
    if (bytes && bytes.byteLength === info.size) hash.update(bytes)
    else for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
    sha256 = `sha256:${hash.digest('hex')}`
    digests.set(key, sha256)
  }
  return { sha256, sizeBytes: info.size }
}

/** A runtime file with its digest; `file` is its path inside the package. */
export async function runtimeFile(location: PhpRuntimeLocation, file: string): Promise<PhpRuntimeFile> {
  const digest = await fileDigest(file)
  return { path: file, file: path.relative(location.packageDir, file).split(path.sep).join('/'), ...digest }
}
