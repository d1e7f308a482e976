import { playground } from '@codebox/backend-playground'
import { describeBackendConformance } from '@codebox/runtime-core/conformance'

const php = (code: string) => `<?php echo base64_decode('${Buffer.from(code).toString('base64')}');`

describeBackendConformance({
  name: 'playground (real WordPress 6.5 on PHP 8.3)',
  createBackend: () => playground(),
  echo: (text) => ({ command: 'wordpress.run-php', args: { code: php(text), bootstrap: 'none' } }),
  echoKeyValue: (text) => [`code=${php(text)}`, 'bootstrap=none'],
  fail: () => ({ command: 'wordpress.run-php', args: { code: '<?php exit(3);', bootstrap: 'none' } }),
  hang: () => ({ command: 'wordpress.run-php', args: { code: '<?php while (true) {}', bootstrap: 'none' } }),
  invalidArgs: () => ({ command: 'wordpress.run-php', args: { code: 42 }, path: '$.args.code' }),
  state: {
    write: (value) => ({ command: 'wordpress.option-set', args: { name: 'codebox_conformance', value } }),
    read: () => ({ command: 'wordpress.option-get', args: { name: 'codebox_conformance' } }),
    valueOf: (result) =>
      result.status === 'ok'
        ? String((result.value as { value: unknown }).value ?? '')
        : `(${result.status})`,
  },
  readFile: (path) => ({
    command: 'wordpress.run-php',
    args: { code: `<?php echo file_get_contents(${JSON.stringify(path)});`, bootstrap: 'none' },
  }),
  sendMail: ({ to, subject, body }) => ({
    command: 'wordpress.run-php',
    args: {
      code: `<?php wp_mail(${JSON.stringify(to)}, ${JSON.stringify(subject)}, base64_decode('${Buffer.from(body).toString('base64')}'));`,
      bootstrap: 'wordpress',
    },
  }),
  mountRoot: '/wordpress/wp-content/codebox-mounts',
  testTimeoutMs: 90_000,
})
