import path from 'node:path'
import { writeFileAtomic } from '../tenants/write-file-atomic.js'
import { type ObjectStore, publicUrl, type StoredObject } from './object-store.js'

/**
 * An object store in a host directory (one per tenant): each object is a file written atomically under `directory`,
 * published at `publicBaseUrl` by whatever serves that directory (a CDN, a static file server).
 */
export class FilesystemObjectStore implements ObjectStore {
  readonly #directory: string
  readonly #publicBaseUrl: string

  constructor(options: { readonly directory: string; readonly publicBaseUrl: string }) {
    this.#directory = path.resolve(options.directory)
    this.#publicBaseUrl = options.publicBaseUrl
  }

  async put(key: string, bytes: Uint8Array): Promise<StoredObject> {
    const target = path.resolve(this.#directory, ...key.split('/'))
    // Keys are built by the host, but a store never writes outside its directory whatever it is given.
    if (!target.startsWith(`${this.#directory}${path.sep}`))
      throw new Error(`object key ${key} leaves the store`)
    await writeFileAtomic(target, bytes)
    return { key, url: publicUrl(this.#publicBaseUrl, key) }
  }

  async close(): Promise<void> {}
}
