import { describeBackendConformance } from '../src/conformance/backend-conformance.js'
import { inMemoryReferenceBackend } from './in-memory-reference-backend.js'

describeBackendConformance({
  name: 'in-memory reference backend (test-only, no WordPress)',
  createBackend: inMemoryReferenceBackend,
  echo: (text) => ({ command: 'memory.echo', args: { text } }),
  echoKeyValue: (text) => [`text=${text}`],
  fail: () => ({ command: 'memory.fail', args: {} }),
  hang: () => ({ command: 'memory.spin', args: {} }),
  invalidArgs: () => ({ command: 'memory.fail', args: { exitCode: 'three' }, path: '$.args.exitCode' }),
  state: {
    write: (value) => ({ command: 'memory.set', args: { key: 'k', value } }),
    read: () => ({ command: 'memory.get', args: { key: 'k' } }),
    valueOf: (result) => result.stdout,
  },
  readFile: (path) => ({ command: 'memory.read-file', args: { path } }),
  sendMail: (message) => ({ command: 'memory.mail', args: { ...message } }),
  mountRoot: '/mnt',
})
