import type { BackendCommandOutcome, CommandContext } from '@codebox/runtime-core'
import type { z } from 'zod'
import type { CommandHost } from '../commands/command-host.js'
import { BackendPlaygroundError } from '../errors.js'
import { parseJunitReport } from './parse-junit.js'
import type { PhpunitArgs, PhpunitValue } from './phpunit-args.js'
import {
  PHPUNIT_CONFIG,
  PHPUNIT_MOUNTS,
  PHPUNIT_ROOT,
  phpunitInstallProgram,
  phpunitRunProgram,
  wpTestsConfig,
} from './phpunit-programs.js'
import { type PhpunitToolkitOptions, resolvePhpunitToolkit } from './phpunit-toolkit.js'

const decoder = new TextDecoder()

/** What `wordpress.phpunit` needs from its runtime beyond the worker. */
export interface PhpunitHost extends CommandHost {
  readonly phpunit: {
    readonly options: PhpunitToolkitOptions
    readonly cacheDir: string
    /** The runtime's WordPress version, which the test library must match. */
    readonly wordpress: string
    /** The runtime's `download` option: whether a missing part may be downloaded (default: unless CODEBOX_OFFLINE=1). */
    readonly download: boolean | undefined
    /** Keeps a report for the bundle (`logs/<name>`). */
    readonly attachLog: (name: string, text: string) => void
  }
}

/** The last lines of some output, for a message that says why a suite did not load. */
function tail(text: string, lines = 12): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

/** Throws `PHPUNIT_CONFIG_MISSING` unless `directory` exists and holds the configuration PHPUnit will read. */
async function assertSuite(host: CommandHost, args: z.output<typeof PhpunitArgs>, signal: AbortSignal) {
  const files = await host.worker.listFiles(args.directory, { signal }).catch((): string[] => [])
  if (files.length === 0) {
    throw new BackendPlaygroundError(
      'PHPUNIT_DIRECTORY_MISSING',
      `wordpress.phpunit: ${args.directory} does not exist in the runtime (or is empty); fix args.directory or mount the plugin there first (runtime.mount or createRuntime({ mounts })).`,
      { details: { field: 'args.directory', directory: args.directory } },
    )
  }
  const config = args.configuration
  const present = config
    ? (
        await host.worker
          .listFiles(`${args.directory}/${config}`.replace(/\/[^/]*$/, ''), { signal })
          .catch((): string[] => [])
      ).includes(config.split('/').pop() as string)
    : files.includes('phpunit.xml') || files.includes('phpunit.xml.dist')
  if (!present) {
    throw new BackendPlaygroundError(
      'PHPUNIT_CONFIG_MISSING',
      config
        ? `wordpress.phpunit: ${args.directory}/${config} does not exist; fix args.configuration.`
        : `wordpress.phpunit: ${args.directory} holds no phpunit.xml or phpunit.xml.dist; add one or give args.configuration.`,
      { details: { field: 'args.configuration', directory: args.directory, configuration: config ?? null } },
    )
  }
}

/**
 * `wordpress.phpunit`: runs a mounted plugin's PHPUnit suite against this runtime's WordPress. PHPUnit, the
 * polyfills and the WordPress test library are resolved on the host and mounted read-only for the run; the test
 * site is installed in the runtime's own database under the `wptests_` prefix (the site's tables are untouched);
 * PHPUnit runs in-process and its JUnit report becomes the result's value and a log of the bundle. Failing tests
 * make a `failed` result that still carries the report.
 */
export async function phpunitCommand(
  host: PhpunitHost,
  args: z.output<typeof PhpunitArgs>,
  context: CommandContext,
): Promise<BackendCommandOutcome> {
  const { signal } = context
  await assertSuite(host, args, signal)
  const toolkit = await resolvePhpunitToolkit({
    options: host.phpunit.options,
    cacheDir: host.phpunit.cacheDir,
    wordpress: host.phpunit.wordpress,
    download: host.phpunit.download,
    signal,
  })
  const worker = host.worker
  const unmounts: (() => Promise<void>)[] = []
  try {
    for (const part of ['phpunit', 'polyfills', 'testLibrary'] as const) {
      unmounts.push(
        await worker.mount(
          { hostPath: toolkit[part].path, vfsPath: PHPUNIT_MOUNTS[part], readOnly: true },
          { signal },
        ),
      )
    }
    await worker.writeFile(PHPUNIT_CONFIG, wpTestsConfig(), { signal })
    const install = await worker.run({ code: phpunitInstallProgram() }, { signal })
    for (const entry of install.errors) host.log(entry)
    if (install.exitCode !== 0) {
      return {
        exitCode: install.exitCode,
        stdout: install.stdout,
        stderr: install.stderr,
        code: 'PHPUNIT_INSTALL_FAILED',
        message: `The WordPress test library could not install its test site:\n${tail(`${install.stdout}\n${install.stderr}`)}`,
      }
    }
    const junitPath = `${PHPUNIT_ROOT}/junit-${context.index}.xml`
    const argv = [
      '--log-junit',
      junitPath,
      '--do-not-cache-result',
      ...(args.configuration ? ['--configuration', args.configuration] : []),
      ...(args.filter ? ['--filter', args.filter] : []),
      ...(args.testsuite ? ['--testsuite', args.testsuite] : []),
      ...(args.group ? ['--group', args.group.join(',')] : []),
    ]
    let output = ''
    const run = await worker.run(
      {
        code: phpunitRunProgram({
          directory: args.directory,
          phpunitEntry: toolkit.phpunit.entry,
          includePath: toolkit.phpunit.includePath,
          polyfillsEntry: toolkit.polyfills.entry,
          junitPath,
          argv,
        }),
      },
      {
        signal,
        onOutput: ({ stream, chunk }) => {
          const text = decoder.decode(chunk)
          output += text
          context.output(stream, text)
        },
      },
    )
    for (const entry of run.errors) host.log(entry)
    const xml = await worker
      .readFile(junitPath, { signal })
      .then((bytes) => decoder.decode(bytes))
      .catch(() => undefined)
    if (xml === undefined) {
      const fatal = run.errors.find((entry) => entry.level === 'fatal' || entry.level === 'parse')
      return {
        exitCode: run.exitCode === 0 ? 2 : run.exitCode,
        code: 'PHPUNIT_SUITE_NOT_LOADED',
        message: `The PHPUnit suite in ${args.directory} did not load (no JUnit report was written)${fatal ? `: PHP ${fatal.level} error: ${fatal.message}` : ''}:\n${tail(output)}`,
      }
    }
    const junitLog = `phpunit-${context.index}.junit.xml`
    host.phpunit.attachLog(junitLog, xml)
    const report = parseJunitReport(xml)
    const value: PhpunitValue = {
      ...report,
      junitLog,
      phpunitExitCode: run.exitCode,
      toolkit: { phpunit: toolkit.phpunit, polyfills: toolkit.polyfills, testLibrary: toolkit.testLibrary },
    }
    const bad = report.failures + report.errors
    if (bad > 0 || run.exitCode !== 0) {
      return {
        exitCode: run.exitCode === 0 ? 1 : run.exitCode,
        value,
        message:
          bad === 0
            ? `PHPUnit exited with code ${run.exitCode}:\n${tail(output)}`
            : `${bad} of ${report.tests} PHPUnit tests failed: ${report.cases
                .filter((test) => test.status === 'failed' || test.status === 'error')
                .map(
                  (test) =>
                    `${test.name}${test.location ? ` (${test.location.file}:${test.location.line})` : ''}`,
                )
                .join(', ')}`,
      }
    }
    return { exitCode: 0, value }
  } finally {
    for (const unmount of unmounts.reverse()) await unmount().catch(() => {})
  }
}
