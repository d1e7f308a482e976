/**
 * Loading php-wasm in the worker thread with codebox's sandbox: no relay server, sockets through the network
 * policy, process execution refused.
 *
 * @module
 */
import { networkEmscriptenOptions } from './network-policy.js'
import {
  bindUserSpace,
  createSpawnHandler,
  type EmscriptenFS,
  FileLockManagerForPosix,
  getPHPLoaderModule,
  isLegacyPHPVersion,
  loadPHPRuntime,
  PHP,
  type Php,
} from './php-wasm-api.js'
import type { WorkerEvent, WorkerInit } from './php-worker-protocol.js'

/** Where php-wasm's default php.ini puts OPcache's file cache (`opcache.file_cache`, file-cache-only mode). */
export const OPCACHE_FILE_CACHE = '/internal/shared/opcache'

/**
 * Loads PHP the way `@php-wasm/node`'s `loadNodeRuntime` does, minus `withNetworking()` (which always starts
 * an unauthenticated WebSocket-to-TCP relay) and minus PHP extensions. Outbound sockets go through
 * `network-policy.ts`; every process PHP tries to spawn (`shell_exec`, `exec`, `proc_open`, …) answers with
 * an error on stderr and exit code 126, and is reported to `emitEvent`.
 */
export async function loadPhp(init: WorkerInit, emitEvent: (event: WorkerEvent) => void): Promise<Php> {
  if (isLegacyPHPVersion(init.phpVersion)) {
    throw Object.assign(new Error(`PHP ${init.phpVersion} is not supported by codebox`), {
      code: 'PHP_VERSION_UNSUPPORTED',
    })
  }
  const loader = await getPHPLoaderModule(init.phpVersion)
  const wasmModule = init.wasmModule
  const runtimeId = await loadPHPRuntime(loader, {
    // Emscripten calls quit() when PHP exit()s; throwing lets php-wasm turn it into an exit code.
    quit(_code: number, error: unknown) {
      throw error
    },
    bindUserSpace: (context: unknown) =>
      grantSharedLocks(
        bindUserSpace({ fileLockManager: new FileLockManagerForPosix() }, context) as {
          flock(fd: number, op: number): number
        },
        context as UserSpaceContext,
        readOnlyLockPrefixes(init),
      ),
    processId: init.processId,
    // Instantiate the module the host compiled once, so every runtime shares its compiled machine code.
    ...(wasmModule
      ? {
          instantiateWasm(imports: object, receive: (instance: object, module: object) => void) {
            const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyInstantiate }).WebAssembly
            wasm.instantiate(wasmModule, imports).then((instance) => receive(instance, wasmModule))
            return {}
          },
        }
      : {}),
    onRuntimeInitialized(runtime: { FS: EmscriptenFS }) {
      // Same NODEFS fix-ups as loadNodeRuntime: readdir must list . and .., statfs on the root.
      const nodeFs = runtime.FS.filesystems.NODEFS
      const readdir = nodeFs.node_ops.readdir as (this: unknown, node: unknown) => string[]
      nodeFs.node_ops.readdir = (node: unknown) => {
        const entries = readdir.call(nodeFs.node_ops, node)
        return entries.includes('.') ? entries : ['.', '..', ...entries]
      }
      runtime.FS.root.node_ops = { ...runtime.FS.root.node_ops, statfs: nodeFs.node_ops.statfs }
      runtime.FS.root.mount.opts.root = '.'
    },
    ...networkEmscriptenOptions(init.network, emitEvent),
  })
  const php = new PHP(runtimeId)
  await php.setSpawnHandler(
    createSpawnHandler(async (argv, processApi) => {
      const command = argv[0] ?? ''
      emitEvent({ type: 'process.denied', command })
      // createSpawnHandler requires the program to finish asynchronously so PHP can attach its pipes.
      await new Promise((resolve) => setTimeout(resolve, 1))
      processApi.stderr(`codebox: process execution is disabled in this runtime (${command})\n`)
      processApi.exit(126)
    }),
  )
  return php
}

/** `WebAssembly.instantiate` for a compiled module (this package's TypeScript libs carry no WebAssembly types). */
interface WebAssemblyInstantiate {
  instantiate(module: object, imports: object): Promise<object>
}

/** VFS directories whose files no runtime can write: read-only NodeFS mounts of host files the host published whole. */
function readOnlyLockPrefixes(init: WorkerInit): string[] {
  const compiled = init.wordpress?.compiledCore
  return compiled && !init.opcache ? [`${OPCACHE_FILE_CACHE}/${compiled.systemId}/`] : []
}

/** The parts of php-wasm's user-space binding context that {@link grantSharedLocks} reads. */
interface UserSpaceContext {
  readonly constants: { readonly LOCK_SH: number; readonly LOCK_EX: number; readonly LOCK_UN: number }
  readonly syscalls: { getStreamFromFD(fd: number): { readonly path?: string } }
}

/**
 * Grants shared `flock()`s (and their unlocks) on files under `prefixes` without asking php-wasm's lock manager.
 * php-wasm 3.1's `flock()` checks a `flock` operation as if it were an `fcntl` lock type, so `LOCK_SH` on a file
 * opened read-only fails with EBADF on every NodeFS mount — and OPcache takes exactly that lock to read a file-cache
 * entry, so it could never load one from a host directory. Nobody can write those files: a shared lock on them has
 * nothing to exclude. Exclusive locks still go to php-wasm.
 */
function grantSharedLocks<T extends { flock(fd: number, op: number): number }>(
  userSpace: T,
  context: UserSpaceContext,
  prefixes: readonly string[],
): T {
  if (prefixes.length === 0) return userSpace
  const { LOCK_SH, LOCK_EX, LOCK_UN } = context.constants
  const flock = userSpace.flock.bind(userSpace)
  return {
    ...userSpace,
    flock(fd: number, op: number): number {
      if ((op & (LOCK_SH | LOCK_EX | LOCK_UN)) !== LOCK_EX) {
        let path: string | undefined
        try {
          path = context.syscalls.getStreamFromFD(fd).path
        } catch {
          path = undefined
        }
        if (path !== undefined && prefixes.some((prefix) => path.startsWith(prefix))) return 0
      }
      return flock(fd, op)
    },
  }
}
