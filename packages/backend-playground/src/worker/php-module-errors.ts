import { BackendPlaygroundError } from '../errors.js'

/**
 * A PHP version the runtime cannot load was asked for. Code: `PHP_VERSION_UNSUPPORTED`; `details.requested` is the
 * version asked for and `details.supported` the versions that load (newest first).
 */
export class PhpVersionUnsupportedError extends BackendPlaygroundError {
  /** The versions that load, newest first. */
  readonly supported: readonly string[]

  /**
   * @param requested - the version asked for.
   * @param supported - the versions that load, newest first.
   * @param where - who asked, for the message (e.g. `PhpWorker.start({ phpVersion })`).
   */
  constructor(requested: string, supported: readonly string[], where: string) {
    super(
      'PHP_VERSION_UNSUPPORTED',
      `PHP ${JSON.stringify(requested)} is not supported by ${where}; use one of ${supported.join(', ')}.`,
      { details: { requested, supported: [...supported] } },
    )
    this.supported = supported
  }
}

/**
 * The PHP WebAssembly module on disk is unusable: not valid WebAssembly (truncated, corrupted), or its SHA-256
 * differs from the one recorded when this package version was first used here. Code: `PHP_MODULE_INVALID`;
 * `details.file` names the file, `details.problem` says which (`invalid-wasm` or `digest-changed`).
 */
export class PhpModuleInvalidError extends BackendPlaygroundError {
  /**
   * @param file - the module's path.
   * @param problem - what is wrong with it.
   * @param message - the message, naming the file and the fix.
   * @param details - digests and sizes.
   */
  constructor(
    file: string,
    problem: 'invalid-wasm' | 'digest-changed',
    message: string,
    details: Readonly<Record<string, unknown>> = {},
  ) {
    super('PHP_MODULE_INVALID', message, { details: { file, problem, ...details } })
  }
}
