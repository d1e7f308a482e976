import { z } from 'zod'
import type { PhpunitReport } from './parse-junit.js'
import type { ResolvedPhpunitComponent } from './phpunit-toolkit.js'

/** Arguments of `wordpress.phpunit`. */
export const PhpunitArgs = z.strictObject({
  /** The plugin or theme directory inside the runtime whose suite runs, e.g. `/wordpress/wp-content/plugins/my-plugin`. */
  directory: z
    .string()
    .regex(/^\/wordpress\/(?!.*(^|\/)\.\.(\/|$))/, 'must be an absolute path under /wordpress/, without ..'),
  /** PHPUnit configuration file, relative to `directory`. Default: PHPUnit's own (`phpunit.xml`, `phpunit.xml.dist`). */
  configuration: z
    .string()
    .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))/, 'must be a path relative to directory, without ..')
    .optional(),
  /** Only tests whose name matches this pattern (`--filter`). Default: all. */
  filter: z.string().min(1).optional(),
  /** Only this test suite of the configuration (`--testsuite`). Default: all. */
  testsuite: z.string().min(1).optional(),
  /** Only these groups (`--group`). Default: the configuration's. */
  group: z.array(z.string().min(1)).optional(),
})

/** The value of `wordpress.phpunit`: what the JUnit report says, where it is kept, and what ran the suite. */
export interface PhpunitValue extends PhpunitReport {
  /** The report's name among the bundle's logs (`logs/<name>`). */
  readonly junitLog: string
  /** PHPUnit's exit code: 0 all passed, 1 failures or errors, 2 PHPUnit itself failed. */
  readonly phpunitExitCode: number
  /** Where each part of the toolkit came from. */
  readonly toolkit: Readonly<Record<'phpunit' | 'polyfills' | 'testLibrary', ResolvedPhpunitComponent>>
}
