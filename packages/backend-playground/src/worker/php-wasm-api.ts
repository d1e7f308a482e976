/**
 * Typed views of the parts of `@php-wasm/*` and Emscripten's filesystem that the worker thread uses.
 *
 * The `@php-wasm/*` declarations start with `export * from './lib'`, a directory import TypeScript cannot
 * resolve under NodeNext, so their exports are invisible to the checker. The runtime imports work; this module
 * states the few signatures the worker relies on, in one place, instead of spreading untyped values through it.
 *
 * @module
 */
import * as phpWasmNodeModule from '@php-wasm/node'
import * as phpWasmUniversalModule from '@php-wasm/universal'
import * as phpWasmUtilModule from '@php-wasm/util'

/** An Emscripten filesystem node (only what the worker reads of it). */
export interface EmscriptenNode {
  readonly mount?: { readonly opts?: { readonly codeboxReadOnly?: boolean; root?: string } }
}

/** An open Emscripten stream. */
export interface EmscriptenStream {
  readonly node: EmscriptenNode
  readonly flags: number
}

/** A node or stream operation table of an Emscripten filesystem, patched in place by the worker. */
export type EmscriptenOps = Record<string, ((this: unknown, ...args: never[]) => unknown) | undefined>

/** One Emscripten filesystem implementation (MEMFS, NODEFS). */
export interface EmscriptenFileSystem {
  node_ops: EmscriptenOps
  stream_ops: EmscriptenOps
}

/** Emscripten's `FS` object. */
export interface EmscriptenFS {
  readonly filesystems: { readonly NODEFS: EmscriptenFileSystem }
  readonly root: { node_ops: EmscriptenOps; readonly mount: { readonly opts: { root?: string } } }
  readonly ErrnoError: new (errno: number) => Error
  mkdirTree(path: string): void
  writeFile(path: string, data: Uint8Array | string): void
  readFile(path: string): Uint8Array
  utime(path: string, atimeMs: number, mtimeMs: number): void
  readdir(path: string): string[]
  lstat(path: string): { readonly mode: number; readonly size: number }
  lookupPath(path: string, options?: { follow?: boolean }): { readonly node: { readonly mount: unknown } }
  analyzePath(path: string): { readonly exists: boolean }
  isDir(mode: number): boolean
  isFile(mode: number): boolean
  mount(type: EmscriptenFileSystem, options: object, mountPoint: string): void
  unmount(mountPoint: string): void
  rmdir(path: string): void
  unlink(path: string): void
}

/** The Emscripten module php-wasm runs PHP in. */
export interface EmscriptenRuntime {
  readonly FS: EmscriptenFS
}

/** A php-wasm mount handler: mounts something at `vfsMountPoint` and returns its undo. */
export type MountHandler = (php: unknown, FS: EmscriptenFS, vfsMountPoint: string) => () => void

/** A streamed PHP run: the exit code and the end of output arrive separately. */
export interface PhpStreamedResponse {
  readonly exitCode: Promise<number>
  readonly finished: Promise<unknown>
}

/** A response of php-wasm's request handler. */
export interface PhpHandlerResponse {
  readonly httpStatusCode: number
  readonly headers: Record<string, string[]>
  readonly bytes: Uint8Array
}

/** php-wasm's `PHP` class (the methods the worker calls). */
export interface Php {
  setSpawnHandler(handler: unknown): Promise<void>
  setSapiName(name: string): Promise<void>
  /** Listens to PHP's `post_message_to_js()`; returns the unsubscribe. */
  onMessage(listener: (data: string) => unknown): () => Promise<void>
  defineConstant(name: string, value: string | number | boolean | null): void
  chdir(path: string): void
  mkdir(path: string): void
  isDir(path: string): boolean
  fileExists(path: string): boolean
  readFileAsBuffer(path: string): Uint8Array
  writeFile(path: string, data: Uint8Array | string): void
  listFiles(path: string, options: { prependPath: boolean }): string[]
  rmdir(path: string, options: { recursive: boolean }): void
  unlink(path: string): void
  mount(vfsPath: string, handler: MountHandler): Promise<() => unknown>
  runStream(request: {
    code?: string | undefined
    scriptPath?: string | undefined
    env?: Record<string, string> | undefined
  }): Promise<PhpStreamedResponse>
}

/** php-wasm's request handler: WordPress served over HTTP semantics without a socket. */
export interface PhpRequestHandler {
  request(request: {
    method: string
    url: string
    headers: Record<string, string>
    body?: Uint8Array | undefined
  }): Promise<PhpHandlerResponse>
}

/** Options of php-wasm's `PHPRequestHandler`. */
export interface PhpRequestHandlerOptions {
  readonly php: Php
  readonly documentRoot: string
  readonly absoluteUrl: string
  readonly cookieStore: false
  readonly rewriteRules: readonly { readonly match: RegExp; readonly replacement: string }[]
  readonly getFileNotFoundAction: () => { readonly type: 'internal-redirect'; readonly uri: string }
}

/** What a denied child process can do: write to its stderr and exit. */
export interface SpawnedProcessApi {
  stderr(text: string): void
  exit(code: number): void
}

/** A PHP loader module for one PHP version. */
export type PhpLoaderModule = object

const phpWasmNode = phpWasmNodeModule as unknown as {
  bindUserSpace(options: { fileLockManager: unknown }, context: unknown): unknown
  FileLockManagerForPosix: new () => unknown
  getPHPLoaderModule(version: string): Promise<PhpLoaderModule>
}
const phpWasmUniversal = phpWasmUniversalModule as unknown as {
  __private__dont__use: symbol
  isLegacyPHPVersion(version: string): boolean
  loadPHPRuntime(loader: PhpLoaderModule, options: object): Promise<number>
  PHP: new (runtimeId: number) => Php
  PHPRequestHandler: new (options: PhpRequestHandlerOptions) => PhpRequestHandler
  setPhpIniEntries(php: Php, entries: Record<string, string>): Promise<void>
}
const phpWasmUtil = phpWasmUtilModule as unknown as {
  createSpawnHandler(program: (argv: string[], process: SpawnedProcessApi) => Promise<void>): unknown
}

export const { bindUserSpace, FileLockManagerForPosix, getPHPLoaderModule } = phpWasmNode
export const { isLegacyPHPVersion, loadPHPRuntime, PHP, PHPRequestHandler, setPhpIniEntries } =
  phpWasmUniversal
export const { createSpawnHandler } = phpWasmUtil

/** The Emscripten runtime behind a `PHP` instance (php-wasm keeps it behind a private symbol). */
export function emscriptenRuntimeOf(php: Php): EmscriptenRuntime {
  return (php as unknown as Record<symbol, EmscriptenRuntime>)[phpWasmUniversal.__private__dont__use]!
}
