import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from '../resources/resource-lock.js'
import { PhpModuleInvalidError } from './php-module-errors.js'
import { fileDigest } from './php-module-files.js'

/** The file in the codebox cache that records each PHP module's digest the first time it was used. */
export const PHP_MODULE_RECORD_FILE = 'php-modules.json'
const RECORD_SCHEMA = 'codebox/php-modules/v1'

interface RecordEntry {
  readonly sha256: string
  readonly sizeBytes: number
  readonly firstSeen: string
}

// This package's TypeScript libs carry no WebAssembly types.
const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly

/** Digests already validated in this process: a 20+ MB module is checked once. */
const validated = new Set<string>()

async function readRecord(file: string): Promise<Record<string, RecordEntry>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { schema?: unknown; entries?: unknown }
    if (parsed.schema === RECORD_SCHEMA && parsed.entries !== null && typeof parsed.entries === 'object') {
      return parsed.entries as Record<string, RecordEntry>
    }
  } catch {
    // Missing or unreadable: nothing recorded yet (the file is rewritten below).
  }
  return {}
}

/** What to check: the module's bytes, where they came from, and the key they are recorded under. */
export interface PhpModuleCheck {
  /** The module's path (named in errors). */
  readonly path: string
  /** The record key: package, version and file inside it, e.g. `@php-wasm/node-8-3@3.1.56/asyncify/8_3_33/php_8_3.wasm`. */
  readonly key: string
  /** How to reinstall it, for the message (e.g. the package name). */
  readonly packageName: string
  readonly bytes: Uint8Array
  /** The codebox cache directory holding {@link PHP_MODULE_RECORD_FILE}. */
  readonly cacheDir: string
}

/**
 * Checks a PHP module before it is compiled: its SHA-256 must equal the one recorded in the codebox cache when this
 * package version was first used, and (once per process) it must be valid WebAssembly. The first use records it.
 *
 * @returns the module's `sha256:<hex>`.
 * @throws {@link PhpModuleInvalidError} `PHP_MODULE_INVALID` naming the file and how to fix it.
 */
export async function checkPhpModule(check: PhpModuleCheck): Promise<string> {
  const { sha256, sizeBytes } = await fileDigest(check.path, check.bytes)
  const recordFile = path.join(check.cacheDir, PHP_MODULE_RECORD_FILE)
  const entries = await readRecord(recordFile)
  const recorded = entries[check.key]
  const reinstall = `reinstall ${check.packageName} (e.g. \`pnpm install --force\`, or delete it from node_modules and install again)`
  if (recorded !== undefined && recorded.sha256 !== sha256) {
    throw new PhpModuleInvalidError(
      check.path,
      'digest-changed',
      `The PHP module ${check.path} has ${sha256} (${sizeBytes} bytes), but it had ${recorded.sha256} ` +
        `(${recorded.sizeBytes} bytes) when this package version was first used here (${recorded.firstSeen}): the file ` +
        `changed, e.g. truncated or corrupted in a package cache. ${reinstall}; if it was replaced on purpose, remove ` +
        `the "${check.key}" entry from ${recordFile}.`,
      { expected: recorded.sha256, actual: sha256, sizeBytes, recordFile },
    )
  }
  if (!validated.has(sha256)) {
    if (!wasm.validate(check.bytes)) {
      throw new PhpModuleInvalidError(
        check.path,
        'invalid-wasm',
        `The PHP module ${check.path} (${sizeBytes} bytes, ${sha256}) is not valid WebAssembly: it is truncated or ` +
          `corrupted. ${reinstall}.`,
        { actual: sha256, sizeBytes },
      )
    }
    validated.add(sha256)
  }
  if (recorded === undefined) {
    // Re-read just before writing, so entries another process added meanwhile are kept.
    const latest = await readRecord(recordFile)
    const entry: RecordEntry = { sha256, sizeBytes, firstSeen: new Date().toISOString() }
    const merged = Object.fromEntries(
      Object.entries({ ...latest, [check.key]: latest[check.key] ?? entry }).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      ),
    )
    await writeFileAtomic(
      recordFile,
      `${JSON.stringify({ schema: RECORD_SCHEMA, entries: merged }, null, 2)}\n`,
    )
  }
  return sha256
}
