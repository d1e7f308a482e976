import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** The installed `@php-wasm/node` version, recorded in every runtime's provenance (read, not assumed). */
export const PHP_WASM_NODE_VERSION: string = (require('@php-wasm/node/package.json') as { version: string })
  .version
