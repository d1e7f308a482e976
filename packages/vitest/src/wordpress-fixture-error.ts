import { CodeboxError, type CodeboxErrorOptions } from '@codebox/runtime-core'

/** Stable codes of {@link WordPressFixtureError}. */
export type WordPressFixtureErrorCode =
  /** `defineWordPressFixture()` options are wrong; `issues` names each field and the fix. */
  | 'VITEST_FIXTURE_OPTIONS_INVALID'
  /** The file's site could not be prepared: the base runtime failed to boot, or `setup` threw. */
  | 'VITEST_SITE_SETUP_FAILED'
  /** A runtime outlived its test (or its file); the message gives where each was created. */
  | 'VITEST_RUNTIME_LEAKED'

/** One problem with the fixture's options: the field, what is wrong, and how to fix it. */
export interface FixtureOptionIssue {
  /** JSON path of the field, e.g. `$.backend.php`. */
  readonly path: string
  /** What is wrong and how to fix it. */
  readonly message: string
}

/**
 * The errors of `@codebox/vitest`, with a stable `code` (see {@link WordPressFixtureErrorCode}); `isCodeboxError`
 * recognises them like every codebox error.
 */
export class WordPressFixtureError extends CodeboxError {
  override readonly code: WordPressFixtureErrorCode
  /** For `VITEST_FIXTURE_OPTIONS_INVALID`: every bad field. Empty otherwise. */
  readonly issues: readonly FixtureOptionIssue[]

  constructor(
    code: WordPressFixtureErrorCode,
    message: string,
    options: CodeboxErrorOptions & { readonly issues?: readonly FixtureOptionIssue[] } = {},
  ) {
    const issues = options.issues ?? []
    super(code, message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      details: { ...options.details, ...(issues.length > 0 ? { issues } : {}) },
    })
    this.code = code
    this.issues = issues
  }
}
