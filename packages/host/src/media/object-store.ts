/** An object stored by an {@link ObjectStore}. */
export interface StoredObject {
  /** The full key in the store (namespace prefix included). */
  readonly key: string
  /** Where the public reads it (the store's public base URL and the key). */
  readonly url: string
}

/**
 * Where ingested media objects go. One store per tenant: a store puts every key under the tenant's own namespace,
 * so no key chosen by one tenant can name another tenant's object.
 */
export interface ObjectStore {
  /** Stores `bytes` under `key` (relative to the tenant's namespace), replacing an object of the same key. */
  put(
    key: string,
    bytes: Uint8Array,
    contentType: string,
    options?: { readonly signal?: AbortSignal },
  ): Promise<StoredObject>
  /** Releases connections; idempotent. */
  close(): Promise<void>
}

/** `https://cdn.test/base/` + `2025/01/a.png` → `https://cdn.test/base/2025/01/a.png`, each key segment encoded. */
export function publicUrl(baseUrl: string, key: string): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`
  return `${base}${key.split('/').map(encodeURIComponent).join('/')}`
}
