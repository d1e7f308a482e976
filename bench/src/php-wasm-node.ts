/**
 * Typed access to the two `@php-wasm/node` functions the raw baseline uses. The package's declarations use
 * `export * from './lib'`, which TypeScript cannot follow under NodeNext, so its exports are declared here.
 */
import * as phpWasmNode from '@php-wasm/node'
import type { bootWordPressAndRequestHandler } from '@wp-playground/wordpress'

/** What `bootWordPressAndRequestHandler` returns. */
export type RawRequestHandler = Awaited<ReturnType<typeof bootWordPressAndRequestHandler>>

/** A php-wasm `PHP` instance. */
export type RawPhp = Awaited<ReturnType<RawRequestHandler['getPrimaryPhp']>>

interface PhpWasmNode {
  loadNodeRuntime(
    phpVersion: string,
    options?: { readonly emscriptenOptions?: { readonly processId?: number } },
  ): Promise<number>
  createNodeFsMountHandler(hostPath: string): Parameters<RawPhp['mount']>[1]
}

export const { loadNodeRuntime, createNodeFsMountHandler } = phpWasmNode as unknown as PhpWasmNode
