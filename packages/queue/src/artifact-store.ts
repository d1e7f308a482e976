/** A bundle object written to or read from an {@link ArtifactStore}. */
export interface StoredObject {
  /** Key inside the store, e.g. `tenant-a/job-42.tar.gz`. */
  readonly key: string
  /** The object's URL: `s3://bucket/prefix/key` or `file:///dir/key`. Never carries credentials. */
  readonly url: string
  readonly bytes: number
  /** SHA-256 (hex) of the object's bytes. */
  readonly sha256: string
}

/** Options of every store call. */
export interface StoreCallOptions {
  /** Aborts the transfer; nothing is left under the key. */
  readonly signal?: AbortSignal
  /** Called with the bytes transferred so far, as parts complete. */
  readonly onProgress?: (bytes: number) => void
}

/**
 * Where workers put bundles and producers fetch them: a filesystem directory (`file:///srv/bundles`) or an
 * S3-compatible bucket (`s3://bucket/prefix`). Writes are whole or absent: an object appears under its key only once
 * all of it is written (a temporary file renamed into place, or a multipart upload completed), so a crash or an
 * abort never leaves a half-written bundle under a key a result refers to. Writing a key again replaces it, so a
 * retried job whose key derives from its id leaves exactly one bundle.
 */
export interface ArtifactStore extends AsyncDisposable {
  /** The store's URL (`file:///dir` or `s3://bucket/prefix`), credentials never included. */
  readonly url: string
  /**
   * Fails with `ARTIFACT_STORE_UNREACHABLE` (naming the URL and what to check) when the store cannot be reached or
   * written. Workers call it at start.
   */
  check(options?: StoreCallOptions & { readonly timeoutMs?: number }): Promise<void>
  /** Writes the file at `path` under `key` (whole or not at all). Throws `ARTIFACT_STORE_WRITE_FAILED`. */
  put(key: string, path: string, options?: StoreCallOptions): Promise<StoredObject>
  /** Reads `key` into the file at `path` (written whole, then renamed). Throws `ARTIFACT_STORE_READ_FAILED`. */
  get(key: string, path: string, options?: StoreCallOptions): Promise<StoredObject>
  /** Keys under `prefix` (default all), sorted. Temporary and incomplete writes are never listed. */
  list(prefix?: string, options?: StoreCallOptions): Promise<string[]>
  /** Frees connections. Idempotent. */
  close(): Promise<void>
}
