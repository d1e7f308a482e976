/** Headers read from a plugin's main file. */
export interface PluginHeader {
  /** The top-level PHP file that holds the header, relative to the plugin directory (e.g. `wp-graphql.php`). */
  readonly file: string
  /** `Plugin Name:`. */
  readonly name: string
  /** `Version:`, when present. */
  readonly version: string | undefined
}

/** WordPress reads headers from the first 8 KiB of a file (`get_file_data`). */
const HEADER_BYTES = 8192

function headerValue(text: string, header: string): string | undefined {
  // Same pattern as WordPress' get_file_data(), plus its _cleanup_header_comment().
  const pattern = new RegExp(`^(?:[ \\t]*<\\?php)?[ \\t/*#@]*${header}:(.*)$`, 'mi')
  const match = pattern.exec(text)
  if (match === null) return undefined
  const value = (match[1] ?? '').replace(/\s*(?:\*\/|\?>).*/, '').trim()
  return value === '' ? undefined : value
}

/**
 * Finds the plugin's main file the way WordPress does: a top-level `.php` file whose first 8 KiB contain a
 * `Plugin Name:` header. `<slug>.php` is preferred, then the others in name order.
 *
 * @param topLevelPhpFiles - names of the top-level `.php` files of the plugin directory.
 * @param read - returns a file's bytes (only the first 8 KiB are used).
 * @param slug - the plugin slug.
 * @returns the header, or `undefined` when no file has one.
 */
export async function findPluginHeader(
  topLevelPhpFiles: readonly string[],
  read: (file: string) => Promise<Uint8Array> | Uint8Array,
  slug: string,
): Promise<PluginHeader | undefined> {
  const preferred = `${slug}.php`
  const ordered = [...topLevelPhpFiles].sort((a, b) =>
    a === preferred ? -1 : b === preferred ? 1 : a < b ? -1 : a > b ? 1 : 0,
  )
  for (const file of ordered) {
    const bytes = await read(file)
    const text = new TextDecoder().decode(bytes.subarray(0, HEADER_BYTES)).replace(/\r/g, '\n')
    const name = headerValue(text, 'Plugin Name')
    if (name !== undefined) return { file, name, version: headerValue(text, 'Version') }
  }
  return undefined
}
