import { inflateSync } from 'fflate'

const HALT = new TextEncoder().encode('__HALT_COMPILER();')

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

/** True when the bytes look like a PHP archive (a stub ending in `__HALT_COMPILER();`). */
export function isPhar(bytes: Uint8Array): boolean {
  return indexOf(bytes.subarray(0, 1024 * 1024), HALT) >= 0
}

/**
 * Reads the WP-CLI version from a `wp-cli.phar` (its `vendor/wp-cli/wp-cli/VERSION` entry), following the phar
 * manifest format. Returns `undefined` for anything it cannot read — callers then need an explicit version.
 */
export function readWpCliPharVersion(bytes: Uint8Array): string | undefined {
  try {
    const halt = indexOf(bytes.subarray(0, 1024 * 1024), HALT)
    if (halt < 0) return undefined
    let p = halt + HALT.length
    // The stub ends with "__HALT_COMPILER(); ?>" and an optional line break.
    while (bytes[p] === 0x20) p++
    if (bytes[p] === 0x3f && bytes[p + 1] === 0x3e) p += 2
    if (bytes[p] === 0x0d) p++
    if (bytes[p] === 0x0a) p++
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const manifestLength = view.getUint32(p, true)
    const dataStart = p + 4 + manifestLength
    const fileCount = view.getUint32(p + 4, true)
    p += 4 + 4 + 2 + 4
    p += 4 + view.getUint32(p, true) // alias
    p += 4 + view.getUint32(p, true) // metadata
    let offset = dataStart
    for (let i = 0; i < fileCount; i++) {
      const nameLength = view.getUint32(p, true)
      const name = new TextDecoder().decode(bytes.subarray(p + 4, p + 4 + nameLength))
      p += 4 + nameLength
      const compressedSize = view.getUint32(p + 8, true)
      const flags = view.getUint32(p + 16, true)
      p += 20
      p += 4 + view.getUint32(p, true) // per-file metadata
      if (name === 'vendor/wp-cli/wp-cli/VERSION') {
        let data = bytes.subarray(offset, offset + compressedSize)
        if (flags & 0x2000) return undefined // bzip2: not supported here
        if (flags & 0x1000) data = inflateSync(data)
        const version = new TextDecoder().decode(data).trim()
        return /^[0-9A-Za-z][0-9A-Za-z.+_-]*$/.test(version) ? version : undefined
      }
      offset += compressedSize
    }
    return undefined
  } catch {
    return undefined
  }
}
