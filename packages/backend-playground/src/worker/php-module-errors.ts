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
