import type { BundleInput } from '../src/index.js'

/** Options of {@link sampleInput}. */
export interface SampleInputOptions {
  /** Text planted in every kind of content (args, outputs, events, logs, diagnostics, credentials, changes). */
  plant?: (slot: string) => string
  /** Bytes of the large log, default small. */
  logBytes?: number
}

const enc = new TextEncoder()

/** A realistic bundle input exercising every document of the layout. */
export function sampleInput(options: SampleInputOptions = {}): BundleInput {
  const plant = options.plant ?? (() => '')
  const bigLog = options.logBytes ? 'x'.repeat(options.logBytes) : ''
  return {
    provenance: {
      backend: { name: 'playground', version: '0.1.0' },
      components: [
        {
          kind: 'wordpress',
          name: 'wordpress',
          version: '6.5.3',
          sha256: 'a'.repeat(64),
          source: 'npm:@wp-playground/wordpress-builds',
        },
        { kind: 'php', name: 'php', version: '8.3' },
        { kind: 'plugin', name: 'wp-graphql', version: '1.28.0', sha256: 'b'.repeat(64) },
        { kind: 'tool', name: 'wp-cli', version: '2.11.0' },
      ],
    },
    policy: {
      effective: { commands: { allow: ['wordpress.*'] }, network: { allowHosts: [] }, note: plant('policy') },
      digest: `sha256:${'c'.repeat(64)}`,
      enforcement: {
        commands: { status: 'enforced' },
        network: { status: 'enforced', detail: 'no outbound sockets' },
        filesystem: { status: 'declared-only' },
      },
    },
    inputs: { recipe: 'smoke', params: { title: `Hello ${plant('inputs')}` } },
    commands: [
      {
        id: 'cmd-1',
        command: 'wordpress.run-php',
        args: {
          code: `<?php echo "${plant('args')}";`,
          env: { [`K_${plant('arg-key')}`]: plant('arg-value') },
        },
        status: 'ok',
        exitCode: 0,
        startedAt: '2024-05-01T10:00:00.000Z',
        finishedAt: '2024-05-01T10:00:01.000Z',
        durationMs: 1000,
        stdout: `hello ${plant('stdout')}\n`,
        stderr: { text: `warn ${plant('stderr')}`, totalBytes: 40, truncated: false, omittedBytes: 0 },
      },
      {
        id: 'cmd-2',
        command: 'wordpress.graphql',
        args: { query: '{ generalSettings { title } }' },
        status: 'failed',
        exitCode: 1,
        startedAt: '2024-05-01T10:00:02.000Z',
        finishedAt: '2024-05-01T10:00:03.000Z',
        durationMs: 1000,
        stdout: '',
        stderr: `fatal: ${plant('stderr-2')}`,
        error: { code: 'COMMAND_FAILED', message: `failed with ${plant('error')}` },
      },
    ],
    events: [
      { type: 'runtime.created', at: '2024-05-01T10:00:00.000Z' },
      { type: 'command.output', stream: 'stdout', chunk: plant('event') },
    ],
    logs: {
      'php-error.log': `PHP Warning: ${plant('php-log')}\n${bigLog}`,
      'boot.log': enc.encode(`boot ok ${plant('boot-log')}\n`),
    },
    diagnostics: [
      {
        severity: 'warning',
        phase: 'runtime',
        name: 'php-notice',
        command: 'wordpress.run-php',
        exitCode: 0,
        message: `notice: ${plant('diagnostic')}`,
        executionIndex: 0,
      },
    ],
    credentials: [
      { connector: 'openai', name: 'OPENAI_API_KEY', value: plant('credential'), resolved: true },
    ],
    changes: {
      mounts: [
        { id: 'my-plugin', source: '/host/my-plugin', target: '/wordpress/wp-content/plugins/my-plugin' },
      ],
      files: [
        {
          mount: 'my-plugin',
          path: 'my-plugin.php',
          status: 'modified',
          before: enc.encode('<?php\n// v1\n'),
          after: enc.encode(`<?php\n// v2 ${plant('file-modified')}\n`),
        },
        {
          mount: 'my-plugin',
          path: 'inc/new.php',
          status: 'added',
          after: enc.encode(`<?php // new ${plant('file-added')}\n`),
        },
        {
          mount: 'my-plugin',
          path: 'old.txt',
          status: 'deleted',
          before: enc.encode(`old ${plant('file-deleted')}\n`),
        },
        {
          mount: 'my-plugin',
          path: 'assets/logo.bin',
          status: 'added',
          after: new Uint8Array([0, 1, 2, 255, ...enc.encode(plant('binary')), 0]),
        },
      ],
    },
    snapshot: enc.encode(`snapshot-bytes ${plant('snapshot')}`),
    timings: { createMs: 12, collectMs: 3 },
    metadata: { agent: 'test', note: plant('metadata') },
  }
}
